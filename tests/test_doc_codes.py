"""data/doc_codes.yml: every entry loads as written, and every code reads back as itself."""
from __future__ import annotations

import re

import pytest

from extract.document import Doc
from extract.documents import document_record, find_documents
from extract.resources import DATA_DIR, doc_codes

_ENTRY = re.compile(r"^  (?P<code>[^\s#:][^:]*): \{(?P<body>.*)\}\s*(?:#.*)?$")
_KEYS = {"name", "variants", "cited_only"}


def _raw_entries() -> list[tuple[str, str, str]]:
    """(section, code, name as written) read from the file's text, not through YAML."""
    section, out = None, []
    for line in (DATA_DIR / "doc_codes.yml").read_text(encoding="utf-8").splitlines():
        if re.match(r"^\w+:\s*$", line):
            section = line.rstrip(":").strip()
            continue
        m = _ENTRY.match(line)
        if m:
            # the name runs to the next known key or to the end of the mapping
            value = re.split(r",\s*(?:variants|cited_only):", m["body"].split("name:", 1)[1])[0].strip()
            out.append((section, m["code"], value.strip('"\'')))
    return out


def test_the_raw_read_sees_every_entry():
    loaded = sum(len(doc_codes()[s]) for s in ("doc_types", "issuers"))
    assert len(_raw_entries()) == loaded


@pytest.mark.parametrize("section, code, written", _raw_entries(), ids=lambda v: str(v))
def test_every_name_loads_whole(section, code, written):
    info = doc_codes()[section][code]
    assert set(info) <= _KEYS, f"{code}: a comma in an unquoted name split the entry into {sorted(info)}"
    assert info["name"] == written


def test_names_with_commas_are_whole():
    issuers = doc_codes()["issuers"]
    assert issuers["BVHTTDL"]["name"] == "Bộ Văn hóa, Thể thao và Du lịch"
    assert issuers["SVHTTDL"]["name"] == "Sở Văn hóa, Thể thao và Du lịch"
    assert issuers["BBCVT"]["name"] == "Bộ Bưu chính, Viễn thông"


@pytest.mark.parametrize("code", [c for c, info in doc_codes()["issuers"].items()])
def test_every_issuer_code_reads_back_as_itself(code):
    doc = Doc(f"Căn cứ văn bản số 12/2020/QĐ-{code} ngày 5/3/2020.")
    (d,) = [document_record(doc, m) for m in find_documents(doc)]
    assert (d["issuer"], d["issuer_name"]) == (code, doc_codes()["issuers"][code]["name"])


@pytest.mark.parametrize("code", [c for c, info in doc_codes()["doc_types"].items() if not info.get("cited_only")])
def test_every_type_code_reads_back_as_itself(code):
    doc = Doc(f"Căn cứ văn bản số 15/{code}-UBND ngày 5/3/2020.")
    (d,) = [document_record(doc, m) for m in find_documents(doc)]
    assert (d["number"], d["doc_type"]) == (f"15/{code}-UBND", code)
