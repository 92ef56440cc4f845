"""A Word document's language and core properties (themes/docx_meta.py), read from its XML."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import docx
import pytest

from journeylab.themes.docx_meta import AUTHOR, set_language, set_metadata, set_properties

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CORE = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}


def parts(data: bytes) -> dict[str, str]:
    """Every XML part of a saved .docx by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}


def languages(styles_xml: str) -> tuple[str | None, str | None]:
    """The w:lang of the document defaults and of the Normal style in styles.xml."""
    root = ET.fromstring(styles_xml)
    default = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    normal = next(s for s in root.iter(f"{W}style") if s.get(f"{W}styleId") == "Normal")
    lang = normal.find(f"{W}rPr/{W}lang")
    return (
        None if default is None else default.get(f"{W}val"),
        None if lang is None else lang.get(f"{W}val"),
    )


def core(core_xml: str) -> dict[str, str]:
    root = ET.fromstring(core_xml)
    found = {}
    for key in ("dc:title", "dc:creator", "cp:lastModifiedBy", "dc:description",
                "dcterms:created", "dcterms:modified"):  # fmt: skip
        element = root.find(key, CORE)
        found[key] = "" if element is None or element.text is None else element.text
    return found


def saved(doc: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("lang", "tag"), [("da", "da-DK"), ("en", "en-GB")])
def test_language_of_defaults_normal_style_and_theme_fonts(lang: str, tag: str) -> None:
    doc = docx.Document()
    set_language(doc, lang)
    xml = parts(saved(doc))
    assert languages(xml["word/styles.xml"]) == (tag, tag)
    assert f'w:themeFontLang w:val="{tag}"' in xml["word/settings.xml"]
    # No part still declares the template's US English (its Word 2010 styles copy is gone).
    assert not [name for name, text in xml.items() if 'w:val="en-US"' in text]


def test_core_properties_say_journeylab_now_and_nothing_of_python_docx() -> None:
    doc = docx.Document()
    when = datetime(2026, 5, 4, 9, 30, 12, tzinfo=UTC)
    set_properties(doc, "Ungeindsatsen i Fjordby Kommune", now=when)
    xml = parts(saved(doc))["docProps/core.xml"]
    assert core(xml) == {
        "dc:title": "Ungeindsatsen i Fjordby Kommune",
        "dc:creator": AUTHOR,
        "cp:lastModifiedBy": AUTHOR,
        "dc:description": "",
        "dcterms:created": "2026-05-04T09:30:12Z",
        "dcterms:modified": "2026-05-04T09:30:12Z",
    }
    assert "python-docx" not in xml and "2013" not in xml


def test_set_metadata_stamps_the_current_time_in_utc() -> None:
    doc = docx.Document()
    before = datetime.now(UTC).replace(microsecond=0)
    set_metadata(doc, title="T", lang="da")
    after = datetime.now(UTC)
    stamp = core(parts(saved(doc))["docProps/core.xml"])["dcterms:created"]
    made = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= made <= after
    assert languages(parts(saved(doc))["word/styles.xml"]) == ("da-DK", "da-DK")
