"""Rendering and writing the synthesis; the one-call entry points for the CLI and the demo."""

from __future__ import annotations

import shutil
from pathlib import Path

from journeylab.errors import InputError
from journeylab.fileio import atomic_output
from journeylab.themes.mapping import suggest_mapping, write_mapping
from journeylab.themes.programme import Programme, load_programme, load_programme_codebook
from journeylab.themes.synthesis import (
    Synthesis,
    load_members,
    member_codebooks,
    privacy_checkers,
    synthesise,
)
from journeylab.themes.templating import bar_svg, make_environment, strings

FORMATS = ("html", "md")


def render_synthesis(synthesis: Synthesis, *, fmt: str = "html", lang: str = "da") -> str:
    """The synthesis as HTML or Markdown text."""
    if fmt not in FORMATS:
        raise InputError(f"unknown synthesis format '{fmt}'", hint="choose html or md")
    t = strings(lang)
    template = make_environment().get_template(f"synthesis.{fmt}")
    return template.render(s=synthesis, t=t, lang=lang, analyst=False, bar_svg=bar_svg)


def write_synthesis(
    programme: Programme,
    out: str | Path,
    *,
    fmt: str = "html",
    lang: str | None = None,
    scope: str | None = None,
    prepare: bool = False,
) -> Path:
    """Build, render, check against every study's real names, then write atomically."""
    out = Path(out)
    if scope is not None:
        programme.member(scope)
    codebook = load_programme_codebook(programme)
    members = load_members(programme, prepare=prepare, language=lang or programme.language)
    from journeylab.themes.mapping import load_mapping

    mapping = load_mapping(programme.mapping_path, member_codebooks(members), codebook)
    synthesis = synthesise(programme, codebook, members, mapping, scope=scope)
    text = render_synthesis(synthesis, fmt=fmt, lang=lang or programme.language)
    for checker in privacy_checkers(members):
        checker.check(text, path=out)
    with atomic_output(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o644)  # a report is meant to be shared
    return out


def suggest_programme_mapping(programme: Programme, out: str | Path | None = None) -> Path:
    """Write the suggested theme mapping (default: the programme's mapping file)."""
    codebook = load_programme_codebook(programme)
    from journeylab.coding.codebook import load_codebook
    from journeylab.coding.study import load_study

    books = {m.key: load_codebook(load_study(m.path).codebook_path) for m in programme.members}
    mapping = suggest_mapping(books, codebook, programme.language)
    return write_mapping(mapping, codebook, out or programme.mapping_path)


def synthesis_command(
    programme_path: str | Path,
    out: str | Path,
    *,
    fmt: str = "html",
    lang: str | None = None,
    scope: str | None = None,
) -> Path:
    """`journeylab synthesis PROGRAMME`: import and code each study, then write the synthesis.

    *fmt* is html, md or docx (a Word document, themes/synthesis_docx.py).
    """
    if fmt not in (*FORMATS, "docx"):
        raise InputError(f"unknown synthesis format '{fmt}'", hint="choose html, md or docx")
    programme = load_programme(programme_path)
    if not programme.mapping_path.is_file():
        suggest_programme_mapping(programme)
    if fmt == "docx":
        from journeylab.themes.synthesis_docx import write_synthesis_docx

        return write_synthesis_docx(programme, out, lang=lang, scope=scope, prepare=True)
    return write_synthesis(programme, out, fmt=fmt, lang=lang, scope=scope, prepare=True)


def example_programme_path() -> Path:
    """The embedded fictional partnership of three municipalities."""
    from journeylab.coding.study import example_study_path

    return example_study_path().parent / "programme"


def run_programme_demo(out: str | Path) -> list[tuple[str, Path]]:
    """Copy examples/programme into *out*/programme and write its synthesis (html, md) and
    each municipality's own version into *out*."""
    out = Path(out)
    work = out / "programme"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(
        example_programme_path(),
        work,
        ignore=shutil.ignore_patterns(".journeylab", "__pycache__"),
    )
    programme = load_programme(work)
    done: list[tuple[str, Path]] = [("programme (copy of the example)", work)]
    done.append(("synthesis (html)", synthesis_command(work, out / "synthese.html")))
    done.append(("synthesis (markdown)", synthesis_command(work, out / "synthese.md", fmt="md")))
    for member in programme.members:
        path = write_synthesis(programme, out / f"synthese-{member.key}.html", scope=member.key)
        done.append((f"synthesis for {member.key} (html)", path))
    return done
