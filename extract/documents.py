"""Legal and administrative document numbers in their three shapes.

- normative `46/2022/TT-BTC`, `80/2015/QH13`, joint `…/TTLT-BTC-BLĐTBXH`
- administrative `90/QĐ-TTg`, official letters without a type code `1458/UBDT-VP135`, old
  numbers with the issuer only `64/CP`
- Party `119-KL/TW`, `02-CTr/TU`
Odd shapes seen in real text are canonicalised: `18-2019-TT-BGDĐT` -> `18/2019/TT-BGDĐT`,
`57/NĐ-CP/2017` -> `57/2017/NĐ-CP`, `09/2007/TTLT/BLĐTBXH-BTC` -> `09/2007/TTLT-BLĐTBXH-BTC`,
`QD-TTg` -> `QĐ-TTg`, `90/qđ-ttg` -> `90/QĐ-TTg`, spaces around separators dropped, an issuer
printed with a hyphen or a space inside as one (`TT-BLĐ-TBXH` -> `TT-BLĐTBXH`, `TT-BGD ĐT` -> `TT-BGDĐT`).

The type of a number without a type code (laws `80/2015/QH13`, `64/CP`) comes from the word that
cites it ("Luật … số", "Pháp lệnh số", "Nghị định số"); the issue date from "ngày …" right after
the number, or after the document's title when "của <issuer>" follows the date.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator

from .document import Doc
from .resources import doc_codes

_UPPER = "A-ZĐƯƠÂĂÊÔ"
_CODE = rf"[{_UPPER}][A-Za-z{_UPPER}đ&0-9]*"
_LOWER_CODE = r"[a-zđươâăêô][a-zđươâăêô&0-9]*"  # a code typed in lower case: accepted when the tables know it
_NUM = r"\d{1,5}(?:\.\d{1,2})?[a-z]?"
_YEAR = r"(?:19|20)\d{2}"


def _spellings(section: str) -> Iterator[tuple[str, str]]:
    """(spelling, code) of every code of a section of data/doc_codes.yml and of its variants, the
    codes only cited by name left out."""
    for code, info in doc_codes()[section].items():
        if not info.get("cited_only"):
            for spelling in [code, *(info.get("variants") or [])]:
                yield spelling, code


def _spaced_spellings() -> str:
    """The codes' spellings with a space inside ("BGD ĐT"), as alternatives that a code part may
    be before its usual shape (a space alone does not join code parts)."""
    spellings = {spelling for section in ("doc_types", "issuers") for spelling, _ in _spellings(section) if " " in spelling}
    return "".join(f"{re.escape(spelling)}(?![\\w&])|" for spelling in sorted(spellings, key=len, reverse=True))


def _patterns(code: str) -> list[tuple[str, re.Pattern]]:
    """The shapes, for one spelling of a code part. Order matters: the first pattern to claim a
    stretch of text wins."""
    upper = code == _CODE
    join = r"(?:\s?-\s?|\.(?=[A-ZĐ]))" if upper else r"(?:\s?-\s?)"
    party_type = r"[A-ZĐ][A-Za-zĐđ]{0,4}" if upper else r"[a-zđ]{1,5}"
    if upper:
        code = f"(?:{_spaced_spellings()}{_CODE})"
    codes = rf"{code}(?:{join}{code})*"
    end = r"(?![\w&])"
    return [
        # A slash between the type and the issuers: 09/2007/TTLT/BLĐTBXH-BTC, 245/QĐ/UB.
        ("normative_type_slash", re.compile(rf"(?=\d)(?<![\d/])({_NUM})\s?/\s?({_YEAR})\s?/\s?({code})\s?/\s?({codes}){end}")),
        ("administrative_type_slash", re.compile(rf"(?=\d)(?<![\d/.])(\d{{1,5}}[a-z]?)\s?/\s?({code})\s?/\s?({codes}){end}")),
        ("normative", re.compile(rf"(?=\d)(?<![\d/])({_NUM})\s?/\s?({_YEAR})\s?/\s?({codes}){end}")),
        ("normative_dashed", re.compile(rf"(?=\d)(?<![\d/-])(\d{{1,5}})-({_YEAR})-({code}-{codes}){end}")),
        ("normative_year_last", re.compile(rf"(?=\d)(?<![\d/])({_NUM})\s?/\s?({code}{join}{codes})/({_YEAR}){end}")),
        ("party", re.compile(rf"(?=\d)(?<![\d/.-])(\d{{1,5}})\s?-\s?({party_type})\s?/\s?({code}(?:-{code})*){end}")),
        ("administrative", re.compile(rf"(?=\d)(?<![\d/.])(\d{{1,5}}[a-z]?)\s?/\s?({code}{join}{codes}){end}")),
        # One code after the number: 64/CP, 72/HĐBT, 123/UBND (checked against the tables).
        ("single", re.compile(rf"(?=\d)(?<![\d/.])(\d{{1,5}}[a-z]?)\s?/\s?({code})(?![\w&/-])")),
    ]


# Upper-case spellings first: at one position the first shape that matches wins.
_SHAPES = [(shape, pattern, False) for shape, pattern in _patterns(_CODE)] + \
          [(shape, pattern, True) for shape, pattern in _patterns(_LOWER_CODE)]
# Where a number could start: digits, a slash or dash (a year and another one may follow), a letter.
# One scan finds them; the shapes are only tried there. (The test that no digit stands before comes
# after the first digit, so that the regex engine skips to digits.)
_CANDIDATE = re.compile(r"\d(?<!\d\d)\d{0,4}(?:\.\d{1,2})?[a-z]?\s?[/-]\s?(?:(?:19|20)\d{2}\s?[/-]\s?)?"
                        r"(?=[A-Za-zĐđƯƠÂĂÊÔươâăêô])")
_DATE = (r"(?:ngày|ngay)\s+(?:(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*((?:19|20)\d{2})"
         r"|(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d{2}))")
_SIGNED = r"(?:ban hành|ký|thông qua)"
# "… số 90/QĐ-TTg ngày 18/01/2022", "…, ban hành ngày …", "(ngày …)", "(28/7/2022)"
_ISSUED_AFTER = re.compile(rf"\s*[,(]?\s*(?:(?:được\s+)?{_SIGNED}\s+(?:vào\s+)?)?{_DATE}"
                           r"|\s*\(\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*((?:19|20)\d{2})\s*\)", re.I)
# The date after the document's title: "Thông tư số 13/2011/TT-BNV quy định … ngày 24/10/2011 của Bộ Nội vụ"
_TITLED_DATE = re.compile(_DATE, re.I)
_ISSUER_AFTER = re.compile(r"\s*\)?\s*,?\s*(?:của|do)\s+\S")
_SIGNED_BEFORE = re.compile(rf"{_SIGNED}\s+(?:vào\s+)?$", re.I)
_TITLE_REACH = 300  # characters from the number to a date after its title
_DATE_BEFORE = re.compile(r"(?:ngày\s+)?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*((?:19|20)\d{2})"
                          r"|ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d{2})", re.I)
# Between such a date and the number: who signed or issued, then the citing words ("…, Thủ tướng
# Chính phủ đã ký ban hành Quyết định số").
_SIGNING_BETWEEN = re.compile(r"[^.;\d]{0,120}?\b(?:ban hành|ký|thông qua)\b[^.;\d]{0,60}$", re.I)
_NAMED_REACH = 120  # characters from a citing word ("Luật … số") to the number
_CAPITALS = "".join(sorted({c for c in map(chr, range(0x41, 0x1F00)) if c.isupper() and c.isalpha()}))
# The issuer between the number and its date ("của UBND tỉnh Hà Giang ngày …", "của Thủ tướng
# Chính phủ ngày …"): a name opening with a capital, up to the date (`_issuer_name` checks it).
_OF_ISSUER = re.compile(rf"\s*,?\s*(?:của|do)\s+((?:liên\s+)?[{_CAPITALS}][^\s,.;:()\d]*(?: [^\s,.;:()\d]+){{0,11}}?)"
                        rf"(?=\s*,?\s*(?:(?:được\s+)?{_SIGNED}\s+)?(?:vào\s+)?(?:ngày|ngay)\s+\d)")
_COMMA_BEFORE_DATE = re.compile(r"\s*,")
_CAPITALISED_AFTER = re.compile(rf"\s*,?\s*([{_CAPITALS}][^\s,.;:()]*(?: [^\s,.;:()]+)?)")
_CLAUSE_END = re.compile(r"\s*(?:[.;)\n]|$)")
# The header of a legal text: "Số: 90/QĐ-TTg", then (on the same line after a table's bar, or a
# few lines on, past the national motto) the place-and-date line "Hà Nội, ngày 18 tháng 01 năm 2022".
_HEADER_NUMBER = re.compile(r"(?:^|[\n|])[ \t]*Số[ \t]*:?[ \t]*$")
_HEADER_REACH = 250
_SIGNING_LINE = re.compile(rf"(?:^|(?<=[\s|]))[ \t|]*(?:TP\.?\s*|Tp\.?\s*|thành phố\s+)?[{_CAPITALS}][^\W\d]*"
                           rf"(?:[ -][{_CAPITALS}][^\W\d]*){{0,4}}\s*,\s*{_DATE}", re.M)
_ISSUER_TERM = re.compile(r"(UBTVQH|QH)(\d{1,2})")  # the Assembly's term is printed after its code
_JOINT_TYPES = {"TTLT", "NQLT"}


@dataclass
class DocumentMention:
    """A document number found in the text (positions in the normalised text).

    :param issuers: every issuer code of the number, the first one also in `issuer`
    """

    start: int
    end: int
    number: str
    shape: str
    doc_type: str | None
    issuer: str | None
    year: int | None
    issued: str | None = None
    issued_range: tuple[int, int] | None = None
    issuers: list[str] = field(default_factory=list)


@lru_cache(maxsize=16384)
def _fold(code: str) -> str:
    s = unicodedata.normalize("NFD", code.replace("đ", "d").replace("Đ", "D"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[\s&.\-]", "", s).upper()


@lru_cache(maxsize=1)
def _code_tables() -> tuple[dict[str, str], dict[str, str]]:
    """Spelling -> canonical code, for the document types printed in numbers and for issuers.

    Each table holds every code and variant as spelled, and their folded forms; a folded form
    two codes share ("HD" Hướng dẫn, "HĐ" Hợp đồng) keeps the code spelled that way.
    """
    tables = []
    for section in ("doc_types", "issuers"):
        exact, folded = {}, {}
        for spelling, code in _spellings(section):
            exact[spelling] = code
            folded.setdefault(_fold(spelling), code)
        for spelling, code in exact.items():
            if _fold(spelling) == spelling:
                folded[spelling] = code
        tables.append({**folded, **exact})
    return tables[0], tables[1]


@lru_cache(maxsize=1)
def _cited_types() -> tuple[re.Pattern, dict[str, str]]:
    """A pattern for the words that cite a document ("Thông tư liên tịch", "Luật"), longest first,
    and each word's type code."""
    names = {info["name"].lower(): code for code, info in doc_codes()["doc_types"].items()}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.I), names


def _canonical_code(part: str, table: dict[str, str]) -> str:
    """The code as the official table spells it (an Assembly code with its term: QH13), else as
    printed without spaces."""
    part = "".join(part.split())
    if _ISSUER_TERM.fullmatch(_fold(part)):
        return _fold(part)
    return table.get(part) or table.get(part.upper()) or table.get(_fold(part), part)


def _issuer_code(part: str) -> str | None:
    """The issuer a printed code stands for (QH13 -> QH), None when the table does not know it."""
    _, issuers = _code_tables()
    term = _ISSUER_TERM.fullmatch(_fold(part))
    if term:
        return term.group(1)
    return issuers.get(part) or issuers.get(part.upper()) or issuers.get(_fold(part))


def _split_codes(codes: str) -> list[str]:
    """The parts of a code, a type and its issuer printed without their hyphen split apart
    ("NĐCP" -> NĐ, CP; "QĐUBND-VX" -> QĐ, UBND, VX)."""
    parts = [p for p in re.split(r"\s?-\s?|\.(?=[A-ZĐ])", codes) if p]
    if parts:
        parts[:1] = _unjoined(parts[0])
    _, issuers = _code_tables()
    joined: list[str] = []
    for part in parts:  # an issuer printed with a hyphen inside ("BLĐ-TBXH") is one part
        if joined and f"{joined[-1]}-{part}" in issuers:
            joined[-1] = f"{joined[-1]}-{part}"
        else:
            joined.append(part)
    return joined


@lru_cache(maxsize=4096)
def _unjoined(part: str) -> tuple[str, ...]:
    """A code part that is no code of its own but a type code and an issuer code run together, as
    the two ("NQCP" -> NQ, CP; "QĐUBND" -> QĐ, UBND); else the part itself. The longest type wins
    ("TTLTBTC" -> TTLT, BTC)."""
    types, _ = _code_tables()
    if _fold(part) in types or _issuer_code(part):
        return (part,)
    for k in range(len(part) - 1, 0, -1):
        if _fold(part[:k]) in types and _issuer_code(part[k:]):
            return part[:k], part[k:]
    return (part,)


@dataclass
class _Parsed:
    number: str
    kind: str
    doc_type: str | None
    issuers: list[str]
    year: int | None


def _issuer_list(parts: list[str], doc_type: str | None) -> list[str]:
    """Issuer codes of the parts after the type: the first always; later ones when the table knows
    them (a joint document's co-issuers) or every one for a joint type. The others are drafting
    units ("UBDT-VP135", "BNN-KTHT")."""
    out = []
    for k, part in enumerate(parts):
        code = _issuer_code(part)
        if k == 0 or doc_type in _JOINT_TYPES or code:
            out.append(code or part)
    return out


def _build(shape: str, groups: tuple[str, ...], lower: bool) -> _Parsed | None:
    """The canonical number of a match, or None when the match is not a document number."""
    types, issuers = _code_tables()
    if shape in ("normative_type_slash", "administrative_type_slash"):
        if shape == "normative_type_slash":
            num, year, type_part, codes = groups
        else:
            (num, type_part, codes), year = groups, None
        if _fold(type_part) not in types:
            return None
        shape = "normative" if year else "administrative"
        groups = (num, year, f"{type_part}-{codes}") if year else (num, f"{type_part}-{codes}")
    if shape in ("normative", "normative_dashed", "normative_year_last"):
        if shape == "normative_year_last":
            num, codes, year = groups
        else:
            num, year, codes = groups
        parts = _split_codes(codes)
        doc_type = _canonical_code(parts[0], types) if _fold(parts[0]) in types and len(parts) > 1 else None
        rest = parts[1:] if doc_type else parts
        if lower and not (_issuer_code(rest[0]) if rest else False):
            return None
        printed = [_canonical_code(p, issuers) for p in rest]
        tail = "-".join(([doc_type] if doc_type else []) + printed)
        return _Parsed(f"{num}/{year}/{tail}", "normative", doc_type, _issuer_list(printed, doc_type), int(year))
    if shape == "party":
        num, doc_type, issuer = groups
        if lower and not (_fold(doc_type) in types and _issuer_code(issuer.split("-")[0])):
            return None
        doc_type = _canonical_code(doc_type, types)
        printed = [_canonical_code(p, issuers) for p in issuer.split("-")]
        return _Parsed(f"{num}-{doc_type}/{'-'.join(printed)}", "party", doc_type, _issuer_list(printed, doc_type), None)
    # "1234/QĐUBND" (a type and an issuer without their hyphen) reads as the administrative shape
    if shape == "single" and len(_unjoined(groups[1])) == 1:
        num, code = groups
        if not _issuer_code(code) or len(_fold(code)) < 2:
            return None
        printed = _canonical_code(code, issuers)
        return _Parsed(f"{num}/{printed}", "letter", None, [printed], None)
    num, codes = groups
    parts = _split_codes(codes)
    if _fold(parts[0]) in types:
        doc_type = _canonical_code(parts[0], types)
        if lower and not _issuer_code(parts[1]):
            return None
        printed = [_canonical_code(p, issuers) for p in parts[1:]]
        return _Parsed(f"{num}/{'-'.join([doc_type] + printed)}", "administrative", doc_type,
                       _issuer_list(printed, doc_type), None)
    if lower and not _issuer_code(parts[0]):
        return None
    if not lower and not _plausible_letter(parts):
        return None
    printed = [_canonical_code(p, issuers) for p in parts]
    return _Parsed(f"{num}/{'-'.join(printed)}", "letter", None, _issuer_list(printed, None), None)


def find_documents(doc: Doc) -> list[DocumentMention]:
    """Every document number in the text, in text order, with its type, issuers and issue date
    when the text gives them."""
    text = doc.norm.text
    found: list[DocumentMention] = []
    claimed = 0  # end of the last number found: numbers do not overlap
    for candidate in _CANDIDATE.finditer(text):
        pos = candidate.start()
        if pos < claimed:
            continue
        for shape, pattern, lower in _SHAPES:
            m = pattern.match(text, pos)
            if not m or (shape == "single" and len(_unjoined(m.group(2))) == 1 and not _cited_before(text, pos)):
                continue
            parsed = _build(shape, m.groups(), lower)
            if parsed is None:
                continue
            found.append(DocumentMention(m.start(), m.end(), parsed.number, parsed.kind, parsed.doc_type,
                                         parsed.issuers[0] if parsed.issuers else None, parsed.year,
                                         issuers=parsed.issuers))
            claimed = m.end()
            break
    for k, mention in enumerate(found):
        sentence_start, sentence_end = doc.sentence_at(mention.start)
        limit = found[k + 1].start if k + 1 < len(found) else len(text)
        floor = max(sentence_start, found[k - 1].end if k else 0)
        _attach_issue_date(text, mention, floor, min(limit, max(sentence_end, mention.end)), limit)
        if mention.doc_type is None:
            # A letter's symbol names no type: only the word right before it does ("Công văn số").
            letter = mention.shape == "letter" and not _issuer_only(mention)
            mention.doc_type = _cited_type(text, mention.start, sentence_start, adjacent_only=letter)
    return found


def _issuer_only(mention: DocumentMention) -> bool:
    """A number made of the issuer alone ("64/CP"): its type comes from the citing word."""
    return mention.shape == "letter" and mention.number.count("-") == 0 and mention.doc_type is None


def _cited_before(text: str, start: int) -> bool:
    """Whether a citing word stands right before the number: "Nghị định số 64/CP", "số 12/UBND"."""
    before = text[max(0, start - 30):start].lower()
    if re.search(r"(?:số|số:|ký hiệu)\s*$", before):
        return True
    pattern, _ = _cited_types()
    last = None
    for last in pattern.finditer(before):
        pass
    return bool(last and not before[last.end():].strip())


def _cited_type(text: str, start: int, sentence_start: int, adjacent_only: bool = False) -> str | None:
    """The type a citing word before the number names: "Luật Ngân sách nhà nước số 83/2015/QH13"
    -> Luật, "Pháp lệnh số 01/2012/UBTVQH13" -> PL. A word further away than "số" must be
    capitalised (the title between may hold "pháp luật")."""
    window_start = max(sentence_start, start - (30 if adjacent_only else _NAMED_REACH))
    window = text[window_start:start]
    window = window[max(window.rfind(";"), window.rfind("\n")) + 1:]
    pattern, names = _cited_types()
    best = None
    for m in pattern.finditer(window):
        between = window[m.end():]
        adjacent = re.fullmatch(r"\s*(?:số|số:)?\s*", between) is not None
        if adjacent or (not adjacent_only and m.group()[0].isupper() and not re.search(r"\d\s?/", between)):
            best = m
    return names[best.group().lower()] if best else None


def _plausible_letter(parts: list[str]) -> bool:
    """An official letter's symbol is issuer-unit in capitals ("UBDT-VP135"); this keeps out
    things like "20/TP-Hà" that only look like one."""
    return len(parts) >= 2 and all(re.fullmatch(r"[A-ZĐ0-9&]{2,}[a-z]?[A-ZĐ0-9&]*", p) for p in parts)


def _attach_issue_date(text: str, mention: DocumentMention, floor: int, limit: int, next_start: int) -> None:
    """The issue date: "ngày …" right after the number (also after its issuer: "số 27/2022/NĐ-CP
    của Chính phủ ngày 19/4/2022"), or the first date after the document's title when "của
    <issuer>" follows it, "ban hành" precedes it or it ends the clause, before the next number;
    else the place-and-date line of a legal text's header ("Số: 90/QĐ-TTg … Hà Nội, ngày 18
    tháng 01 năm 2022"); else a date before the number that a signing verb ties to it ("Ngày
    18/01/2022, Thủ tướng Chính phủ ban hành Quyết định số 90/QĐ-TTg"). A date after a comma
    that opens a clause of its own ("…, ngày 05/9/2022 Sở Tài chính có văn bản") is that
    clause's.

    :param floor: where the sentence or the previous number ends
    :param limit: where the sentence ends or the next number starts
    :param next_start: where the next number starts (a header runs over several lines)
    """
    near = min(limit, mention.end + 60)
    m = _ISSUED_AFTER.match(text, mention.end, near)
    if not m:
        issuer = _OF_ISSUER.match(text, mention.end, min(limit, mention.end + 120))
        if issuer and _issuer_name(issuer.group(1)):
            m = _ISSUED_AFTER.match(text, issuer.end(), min(limit, issuer.end() + 60))
    if m and not (_COMMA_BEFORE_DATE.match(text, m.start()) and _opens_clause(text, m.end())):
        _set_issued(mention, m, m.start(), m.end())
        return
    if m:
        return  # the date is the next clause's; no later date is this document's either
    reach = text[mention.end:min(limit, mention.end + _TITLE_REACH)]
    cut = reach.find(";")
    if cut != -1:
        reach = reach[:cut]
    m = _TITLED_DATE.search(reach)
    if m and _year_fits(mention, m) and (
            _ISSUER_AFTER.match(text, mention.end + m.end()) or _SIGNED_BEFORE.search(reach[:m.start()])
            or _ends_a_title(mention, reach[:m.start()], text, mention.end + m.end())):
        _set_issued(mention, m, mention.end + m.start(), mention.end + m.end())
        return
    if _HEADER_NUMBER.search(text, max(0, mention.start - 12), mention.start):
        header = _SIGNING_LINE.search(text, mention.end, min(next_start, mention.end + _HEADER_REACH))
        if header and not any(c.isdigit() for c in text[mention.end:header.start()]) and _year_fits(mention, header):
            _set_issued(mention, header, header.start(), header.end())
            return
    window_start = max(floor, mention.start - _TITLE_REACH)
    before = text[window_start:mention.start]
    before_start = window_start + max(before.rfind(";"), -1) + 1
    last = None
    for last in _DATE_BEFORE.finditer(text, before_start, mention.start):
        pass
    if last and _SIGNING_BETWEEN.match(text, last.end(), mention.start) and _year_fits(mention, last):
        _set_issued(mention, last, last.start(), last.end())


def _opens_clause(text: str, pos: int) -> bool:
    """Whether a capitalised word at `pos` opens a clause with its own subject ("Sở Tài chính có
    văn bản"), not the document's title ("Phê duyệt …", "Về việc …")."""
    m = _CAPITALISED_AFTER.match(text, pos)
    return bool(m) and not _title_opener(m.group(1))


def _ends_a_title(mention: DocumentMention, title: str, text: str, date_end: int) -> bool:
    """Whether a date with no issuer after it ends the document's title ("Quyết định số
    18/2011/QĐ-TTg về chính sách đối với người có uy tín ngày 18/3/2011."): the words after the
    number open a title (not a clause of their own: "…, Hội tổ chức lớp tập huấn ngày 5/3"), the
    date ends the clause, no event word stands before it ("từ ngày", "sáng ngày") and, for a
    number without its year, no verb of holding an activity stands in the title."""
    words = _citation_words()
    first = title.lstrip(" ,")
    if not first or not (first[0].islower() or _title_opener(first)) or not _CLAUSE_END.match(text, date_end):
        return False
    if words["event_before"].search(title):
        return False
    return mention.year is not None and mention.shape == "normative" or not words["activity"].search(title)


def _issuer_name(words: str) -> bool:
    """Whether the words between "của" and a date can be an issuer's name: no title words or
    verbs of an activity in lower case ("của UBND huyện tổ chức lớp tập huấn ngày …" is not)."""
    return not _citation_words()["not_in_issuer"].search(words)


def _title_opener(words: str) -> bool:
    low = words.lower()
    return any(low == w or low.startswith(w + " ") for w in _citation_words()["openers"])


@lru_cache(maxsize=1)
def _citation_words() -> dict:
    """The word lists of citation sentences (data/doc_codes.yml `citation`), compiled."""
    data = doc_codes()["citation"]
    alternatives = lambda ws: "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True))
    return {
        "openers": [w.lower() for w in data["title_openers"]],
        "event_before": re.compile(rf"(?<!\w)(?:{alternatives(data['event_date_words'])})\s*$", re.I),
        "activity": re.compile(rf"(?<!\w)(?:{alternatives(data['activity_verbs'])})(?!\w)", re.I),
        "not_in_issuer": re.compile(rf"(?<!\w)(?:{alternatives([w.lower() for w in data['title_openers']] + data['activity_verbs'])})(?!\w)"),
    }


def _year_fits(mention: DocumentMention, m: re.Match) -> bool:
    """A normative number carries its year: a date of another year is another document's."""
    groups = m.groups()
    year = int(next(groups[k + 2] for k in range(0, len(groups), 3) if groups[k]))
    return not (mention.year is not None and mention.shape == "normative" and year != mention.year)


def _set_issued(mention: DocumentMention, m: re.Match, start: int, end: int) -> None:
    groups = m.groups()
    d, mo, y = next(groups[k:k + 3] for k in range(0, len(groups), 3) if groups[k])
    day, month, year = int(d), int(mo), int(y)
    if 1 <= month <= 12 and 1 <= day <= 31:
        mention.issued = f"{year:04d}-{month:02d}-{day:02d}"
        mention.issued_range = (start, end)
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
        "issuers": mention.issuers,
        "issuer_names": [(issuers.get(code) or {}).get("name") for code in mention.issuers],
        "issued": mention.issued,
        "year": mention.year,
        **doc.mention(mention.start, mention.end),
    }
