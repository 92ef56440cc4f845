"""Decoding users' files and writing outputs atomically."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeylab.errors import EncodingError, InputError
from journeylab.fileio import atomic_output, cache_root, decode, read_text, write_text_atomic


def test_bom_crlf_and_nfd_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    # "ø" written decomposed is still one character after reading.
    path.write_bytes("\ufeffLone: Vi så\r\nhende i ga\u030ar\r\n".encode())
    text = read_text(path)
    assert text == "Lone: Vi så\nhende i g\u00e5r\n"


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes("Anne: æøå 👍🏽".encode("utf-16"))
    assert read_text(path) == "Anne: æøå 👍🏽"


def test_cp1252_is_refused_with_line_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes(
        "rejse;tekst\nJ01;Flytter til plejefamilie\nJ01;Gik på efterskole\n".encode("cp1252")
    )
    with pytest.raises(EncodingError) as err:
        read_text(path)
    message = str(err.value)
    assert "old.csv" in message and "line 3" in message and "UTF-8" in message


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        read_text(tmp_path / "nope.txt")


@given(st.text())
def test_decode_never_raises_anything_but_our_errors(text: str) -> None:
    try:
        out = decode(text.encode("utf-8", "surrogatepass"), "x.txt")
    except EncodingError:
        return
    assert "\r" not in out


def test_atomic_output_leaves_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "rapport.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.html"]


def test_write_text_atomic_replaces(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.md"
    write_text_atomic(target, "ny")
    assert target.read_text(encoding="utf-8") == "ny"


def test_atomic_output_gets_the_usual_file_mode(tmp_path: Path) -> None:
    import os

    old = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "r.html", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "r.html").stat().st_mode & 0o777 == 0o644


def test_cache_root_honours_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_root() == tmp_path / "journeylab"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/not/allowed")
    assert cache_root() == Path.home() / ".cache" / "journeylab"
