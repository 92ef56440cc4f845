"""Reading users' text files and writing output files safely.

Every reader decodes through `read_text`, so encodings are handled once; every
writer goes through `atomic_output`, so a failure never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import Path

from journeylab.errors import EncodingError, InputError, JourneylabWarning


def normalise(text: str) -> str:
    """The project's normalised text: no BOM, LF line ends, Unicode NFC."""
    text = text.lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


# Danish letters as Windows-1252 writes them: æøåÆØÅé. A file that is not UTF-8
# but has these and no control characters is almost surely an old Excel CSV.
_CP1252_DANISH = frozenset(b"\xe6\xf8\xe5\xc6\xd8\xc5\xe9")


def _looks_cp1252(data: bytes) -> str | None:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if not _CP1252_DANISH.intersection(data):
        return None
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        return None
    return text


def decode(data: bytes, path: str | Path, *, guess_cp1252: bool = False) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16; else EncodingError.

    With *guess_cp1252* (spreadsheet exports), a file that is not UTF-8 but reads
    as Windows-1252 with Danish letters is accepted, with a warning that says so.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return normalise(data.decode("utf-16"))
        except UnicodeDecodeError as exc:
            raise EncodingError(
                "the file says it is UTF-16 but is not", path=path, hint="save it as UTF-8"
            ) from exc
    try:
        return normalise(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        guessed = _looks_cp1252(data) if guess_cp1252 else None
        if guessed is not None:
            warnings.warn(
                JourneylabWarning(
                    f"{path}: read as Windows-1252 (Excel's old CSV encoding), not UTF-8; "
                    "check the Danish letters, and save as 'CSV UTF-8' next time"
                ),
                stacklevel=2,
            )
            return normalise(guessed)
        line = data[: exc.start].count(b"\n") + 1
        raise EncodingError(
            "the file is not UTF-8",
            path=path,
            where=f"line {line}",
            hint="save it as UTF-8 (in Excel: 'CSV UTF-8'; in an editor: Save As, encoding UTF-8)",
        ) from exc


def read_text(path: str | Path, *, guess_cp1252: bool = False) -> str:
    """The normalised text of a user's file; InputError when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("no such file", path=path, hint="check the name and folder") from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a file", path=path) from exc
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from exc
    return decode(data, path, guess_cp1252=guess_cp1252)


def cache_root() -> Path:
    """journeylab's folder in the user's cache (XDG_CACHE_HOME, else ~/.cache).

    It holds what can be rebuilt at any time (the lemma table, compiled templates),
    never study data.
    """
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "journeylab"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside *path*; on success it replaces *path*.

    On any exception the temporary file is removed and *path* is untouched.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(
            f"cannot write here: {exc.strerror or exc}",
            path=path,
            hint="choose another output folder, or check that you may write in it",
        ) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp makes the file owner-only; give it the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write *text* as UTF-8 to *path* via a temporary file and a rename."""
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
