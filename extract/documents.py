"""Legal and administrative document numbers in their three shapes.

- normative `46/2022/TT-BTC`, `80/2015/QH13`
- administrative `90/QĐ-TTg`, and official letters without a type code `1458/UBDT-VP135`
- Party `119-KL/TW`, `02-CTr/TU`
Odd shapes seen in real text are canonicalised: `18-2019-TT-BGDĐT` -> `18/2019/TT-BGDĐT`,
`57/NĐ-CP/2017` -> `57/2017/NĐ-CP`, `QD-TTg` -> `QĐ-TTg`, spaces around separators dropped.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .document import Doc
from .resources import doc_codes

_CODE = r"[A-ZĐ][A-Za-zĐđ&0-9]*"
_JOIN = r"(?:\s?-\s?|\.(?=[A-ZĐ]))"
_CODES = rf"{_CODE}(?:{_JOIN}{_CODE})*"
_NUM = r"\d{1,5}(?:\.\d{1,2})?[a-z]?"
_YEAR = r"(?:19|20)\d{2}"

# Order matters: the first pattern to claim a stretch of text wins.
_PATTERNS = [
    ("normative", re.compile(rf"(?=\d)(?<![\d/])({_NUM})\s?/\s?({_YEAR})\s?/\s?({_CODES})(?![\w&])")),
    ("normative_dashed", re.compile(rf"(?=\d)(?<![\d/-])(\d{{1,5}})-({_YEAR})-({_CODE}-{_CODES})(?![\w&])")),
    ("normative_year_last", re.compile(rf"(?=\d)(?<![\d/])({_NUM})\s?/\s?({_CODE}{_JOIN}{_CODES})/({_YEAR})(?![\w&])")),
    ("party", re.compile(r"(?=\d)(?<![\d/.-])(\d{1,5})\s?-\s?([A-ZĐ][A-Za-zĐđ]{0,4})\s?/\s?([A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-ZĐ][A-Za-zĐđ0-9]*)*)(?![\w&])")),
    ("administrative", re.compile(rf"(?=\d)(?<![\d/.])(\d{{1,5}}[a-z]?)\s?/\s?({_CODE}{_JOIN}{_CODES})(?![\w&])")),
]
_ISSUED_AFTER = re.compile(r"^\s*,?\s*(?:ban hành\s+|được ban hành\s+)?(?:ngày|ngay)\s+(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*((?:19|20)\d{2})"
                           r"|^\s*,?\s*(?:ban hành\s+)?ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d{2})", re.I)


@dataclass
class DocumentMention:
    """A document number found in the text (positions in the normalised text)."""

    start: int
    end: int
    number: str
    shape: str
    doc_type: str | None
    issuer: str | None
    year: int | None
    issued: str | None = None
    issued_range: tuple[int, int] | None = None


def _fold(code: str) -> str:
    s = unicodedata.normalize("NFD", code.replace("đ", "d").replace("Đ", "D"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[\s&.\-]", "", s).upper()


@lru_cache(maxsize=1)
def _code_tables() -> tuple[dict[str, str], dict[str, str]]:
    """Folded spelling -> canonical code, for document types and for issuers."""
    tables = []
    for section in ("doc_types", "issuers"):
        table = {}
        for code, info in doc_codes()[section].items():
            table[_fold(code)] = code
            for variant in info.get("variants", []) or []:
                table[_fold(variant)] = code
        tables.append(table)
    return tables[0], tables[1]


def _canonical_code(part: str, table: dict[str, str]) -> str:
    """The code as the official table spells it, else as printed without spaces."""
    part = re.sub(r"\s+", "", part)
    return part if part in table.values() else table.get(_fold(part), part)


def _split_codes(codes: str) -> list[str]:
    return [p for p in re.split(r"\s?-\s?|\.(?=[A-ZĐ])", codes) if p]


def _build(shape: str, groups: tuple[str, ...]) -> tuple[str, str, str | None, str | None, int | None]:
    types, issuers = _code_tables()
    if shape in ("normative", "normative_dashed", "normative_year_last"):
        if shape == "normative_year_last":
            num, codes, year = groups
        else:
            num, year, codes = groups
        parts = _split_codes(codes)
        doc_type = _canonical_code(parts[0], types) if _fold(parts[0]) in types and len(parts) > 1 else None
        rest = parts[1:] if doc_type else parts
        issuer_parts = [_canonical_code(p, issuers) for p in rest]
        tail = "-".join(([doc_type] if doc_type else []) + issuer_parts)
        return f"{num}/{year}/{tail}", "normative", doc_type, issuer_parts[0] if issuer_parts else None, int(year)
    if shape == "party":
        num, doc_type, issuer = groups
        doc_type = _canonical_code(doc_type, types)
        issuer = "-".join(_canonical_code(p, issuers) for p in issuer.split("-"))
        return f"{num}-{doc_type}/{issuer}", "party", doc_type, issuer.split("-")[0], None
    num, codes = groups
    parts = _split_codes(codes)
    if _fold(parts[0]) in types:
        doc_type = _canonical_code(parts[0], types)
        issuer_parts = [_canonical_code(p, issuers) for p in parts[1:]]
        return f"{num}/{'-'.join([doc_type] + issuer_parts)}", "administrative", doc_type, issuer_parts[0], None
    issuer_parts = [_canonical_code(p, issuers) for p in parts]
    return f"{num}/{'-'.join(issuer_parts)}", "letter", None, issuer_parts[0], None


def find_documents(doc: Doc) -> list[DocumentMention]:
    """Every document number in the text, in text order, with its issue date when the text
    gives it right after the number ("… số 90/QĐ-TTg ngày 18/01/2022")."""
    text = doc.norm.text
    taken: list[tuple[int, int]] = []
    found: list[DocumentMention] = []
    for shape, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            number, kind, doc_type, issuer, year = _build(shape, m.groups())
            if kind == "letter" and not _plausible_letter(m.group(2)):
                continue
            mention = DocumentMention(m.start(), m.end(), number, kind, doc_type, issuer, year)
            _attach_issue_date(text, mention)
            taken.append((m.start(), m.end()))
            found.append(mention)
    found.sort(key=lambda d: d.start)
    return found


def _plausible_letter(codes: str) -> bool:
    """An official letter's symbol is issuer-unit in capitals ("UBDT-VP135"); this keeps out
    things like "20/TP-Hà" that only look like one."""
    parts = _split_codes(codes)
    return len(parts) >= 2 and all(re.fullmatch(r"[A-ZĐ0-9&]{2,}[a-z]?[A-ZĐ0-9&]*", p) for p in parts)


def _attach_issue_date(text: str, mention: DocumentMention) -> None:
    m = _ISSUED_AFTER.match(text[mention.end:mention.end + 60])
    if not m:
        return
    d, mo, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    day, month, year = int(d), int(mo), int(y)
    if 1 <= month <= 12 and 1 <= day <= 31:
        mention.issued = f"{year:04d}-{month:02d}-{day:02d}"
        mention.issued_range = (mention.end + m.start(), mention.end + m.end())
        if mention.year is None:
            mention.year = year


def document_record(doc: Doc, mention: DocumentMention) -> dict:
    """The output-contract form of a document mention."""
    types, issuers = doc_codes()["doc_types"], doc_codes()["issuers"]
    return {
        "number": mention.number,
        "raw": doc.text[slice(*doc.norm.span(mention.start, mention.end))],
        "shape": mention.shape,
        "doc_type": mention.doc_type,
        "doc_type_name": (types.get(mention.doc_type) or {}).get("name") if mention.doc_type else None,
        "issuer": mention.issuer,
        "issuer_name": (issuers.get(mention.issuer) or {}).get("name") if mention.issuer else None,
        "issued": mention.issued,
        "year": mention.year,
        **doc.mention(mention.start, mention.end),
    }
