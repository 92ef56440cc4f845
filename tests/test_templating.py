"""The Jinja environment's compiled-template cache and the locale strings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from jinja2 import DictLoader, Environment
from jinja2.bccache import bc_magic

from journeylab.themes import templating
from journeylab.themes.templating import template_cache


def _env(folder: Path, source: str) -> Environment:
    return Environment(loader=DictLoader({"t.html": source}), bytecode_cache=template_cache(folder))


def test_compiled_template_is_kept_and_used_by_the_next_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _env(tmp_path, "Hej {{ x }}").get_template("t.html").render(x="Ane") == "Hej Ane"
    assert list(tmp_path.glob("__jinja2_*.cache"))

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled although the cache holds the template")

    monkeypatch.setattr(Environment, "compile", no_compiling)
    assert _env(tmp_path, "Hej {{ x }}").get_template("t.html").render(x="Bo") == "Hej Bo"


def test_an_edited_template_is_compiled_afresh(tmp_path: Path) -> None:
    _env(tmp_path, "Hej {{ x }}").get_template("t.html").render(x="Ane")
    assert _env(tmp_path, "Farvel {{ x }}").get_template("t.html").render(x="Ane") == "Farvel Ane"


def test_a_damaged_cache_file_is_compiled_afresh(tmp_path: Path) -> None:
    _env(tmp_path, "Hej {{ x }}").get_template("t.html").render(x="Ane")
    for path in tmp_path.glob("__jinja2_*.cache"):
        # Jinja's own header, then garbage where the pickled checksum should be.
        path.write_bytes(bc_magic + b"\x80\x05garbage")
    assert _env(tmp_path, "Hej {{ x }}").get_template("t.html").render(x="Bo") == "Hej Bo"


def test_no_cache_folder_means_no_cache_and_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    assert template_cache(blocker / "templates") is None
    folder = tmp_path / "gone"
    env = _env(folder, "Hej {{ x }}")
    folder.rmdir()  # removed after start: writing the compiled template fails quietly
    assert env.get_template("t.html").render(x="Ane") == "Hej Ane"


def test_the_project_environment_caches_under_the_users_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    env = templating.make_environment.__wrapped__()
    env.get_template("report.md")
    assert list((tmp_path / "journeylab" / "templates").glob("__jinja2_*.cache"))


@pytest.mark.parametrize("lang", templating.LANGUAGES)
def test_locale_strings_are_what_the_pure_python_loader_reads(lang: str) -> None:
    path = templating.templates_dir() / "locale" / f"{lang}.yaml"
    plain = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert templating.strings(lang) == plain
    assert plain  # the file was read, not an empty mapping on both sides


@pytest.mark.parametrize(
    ("age", "da", "en"),
    [(18, "18 år", "18 years"), (18.0, "18 år", "18 years"), (17.5, "17,5 år", "17.5 years"),
     (16.25, "16,25 år", "16.25 years"), (1, "1 år", "1 year")],
)  # fmt: skip
def test_ages_without_trailing_zeros(age: float, da: str, en: str) -> None:
    assert templating.years(age, "da") == da
    assert templating.years(age, "en") == en
    source = "{{ a|years(lang) }}"
    env = templating.build_environment(None)
    assert env.from_string(source).render(a=age, lang="da") == da


@pytest.mark.parametrize(
    ("value", "da", "en"),
    [
        ("2026-05-04", "4. maj 2026", "4 May 2026"),
        ("2026-01-31", "31. januar 2026", "31 January 2026"),
        ("2026-12-01T09:30:00", "1. december 2026", "1 December 2026"),
        ("2026-03", "marts 2026", "March 2026"),
        ("Foråret 2026", "Foråret 2026", "Foråret 2026"),  # the analyst's own words
        ("2026-13-40", "2026-13-40", "2026-13-40"),  # not a date: left as written
        (None, "", ""),
    ],
)
def test_dates_are_written_out_in_the_reports_language(value: str | None, da: str, en: str) -> None:
    assert templating.long_date(value, "da") == da
    assert templating.long_date(value, "en") == en
