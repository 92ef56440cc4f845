"""yamlfast.compose: libyaml's node tree when it parses, the pure-Python composer's errors."""

from __future__ import annotations

import pytest
import yaml

from journeylab import yamlfast


def _tree(node: yaml.Node | None) -> object:
    """A node tree as plain data with every node's tag, value and line."""
    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, node.start_mark.line)
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, [_tree(n) for n in node.value], node.start_mark.line)
    assert isinstance(node, yaml.MappingNode)
    pairs = [(_tree(k), _tree(v)) for k, v in node.value]
    return (node.tag, pairs, node.start_mark.line)


def test_the_fast_loader_is_used_when_libyaml_is_there(monkeypatch: pytest.MonkeyPatch) -> None:
    assert yamlfast.FAST_LOADER is not None  # libyaml is in the environment: the fast path runs
    used = []
    real = yaml.compose

    def spy(text: str, Loader: object) -> yaml.Node | None:
        used.append(Loader)
        return real(text, Loader=Loader)  # type: ignore[arg-type]

    monkeypatch.setattr(yaml, "compose", spy)
    yamlfast.compose("a: 1\n")
    assert used == [yamlfast.FAST_LOADER]


@pytest.mark.parametrize(
    "text",
    ["a: 1\nb: [x, y]\n", "- æøå\n- ~\n- 'q: r'\n", "", "k: |\n  line\n  line\n", "? a\n: b\n"],
)
def test_same_tree_as_the_pure_python_composer(text: str) -> None:
    assert _tree(yamlfast.compose(text)) == _tree(yaml.compose(text, Loader=yaml.SafeLoader))


@pytest.mark.parametrize("text", ["a: [1\n", "a: b: c\n", "\t- x\n", "a: 1\na: *x\n"])
def test_errors_are_the_pure_python_composers(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as slow:
        yaml.compose(text, Loader=yaml.SafeLoader)
    with pytest.raises(yaml.YAMLError) as fast:
        yamlfast.compose(text)
    assert str(fast.value) == str(slow.value)
    assert type(fast.value) is type(slow.value)
