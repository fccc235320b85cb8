"""Places named in the text, resolved against the gazetteer.

Three ways a place is named:
- typed: "huyện Mường Lát", "tỉnh Thanh Hóa", "TP. Tam Kỳ", "xã Sơn Tịnh", also lists
  ("các huyện: Sông Lô, Lập Thạch và thành phố Vĩnh Yên", "02 huyện Duyên Hải, Cầu Ngang");
- bare: "tại Bình Dương", "Sở TT&TT Hà Tĩnh"; bare district names only when their province is
  named in the article or is the portal's, before the 2025 reform, and never when the article
  uses the name for a commune;
- the URL: the portal's province or district (`span` null).
Ambiguous names are resolved by the other places of the same article and by the portal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from .document import Doc, Occupied
from .gazetteer import MUNICIPALITIES, Gazetteer, Unit, gazetteer
from .normalize import ascii_key, canonical

REFORM_DATE = date(2025, 7, 1)
_TYPE_WORDS = {
    "tỉnh": "province", "thủ đô": "province", "thành phố": "city", "tp": "city", "tp.": "city",
    "huyện": "district", "h.": "district", "quận": "district", "thị xã": "district", "tx": "district", "tx.": "district",
    "xã": "commune", "phường": "commune", "thị trấn": "commune", "đặc khu": "commune",
}
_TYPE_NAMES = {"tp": "thành phố", "tp.": "thành phố", "tx": "thị xã", "tx.": "thị xã", "thủ đô": "thành phố", "h.": "huyện"}
_TYPED = re.compile(r"(?<![\w])(?:(các|những|\d{1,2}|hai|ba|bốn|năm)\s+)?"
                    r"(tỉnh|thủ đô|thành phố|tp\.?|huyện|h\.|quận|thị xã|tx\.?|xã|phường|thị trấn|đặc khu)(?:\s*:\s*|\s+|(?<=\.))(?=\S)")
_TOKEN = re.compile(r"[^\s,.;:()\[\]“”\"!?/]+")
_NAME_JOIN = re.compile(r"^(?:\s|\s?-\s?)$")
# Institutions named after a city are not about the place ("Đại học Kiến trúc Hà Nội").
_INSTITUTION_BEFORE = re.compile(r"(?:Đại học|ĐH|Học viện|Cao đẳng|Trường|Bệnh viện)\b[^,.;:\n]{0,40}$")
_NOT_BARE = {"hồ chí minh"}  # "tư tưởng Hồ Chí Minh", "Đoàn TNCS Hồ Chí Minh": only typed counts
_COMMON_SENTENCE_START = {"tại", "ở", "về", "từ", "đến", "cho", "của", "và", "với", "theo", "trong", "khắp",
                          "toàn", "thuộc", "gồm", "cả", "riêng", "như", "qua", "sở", "ban", "phòng", "hội", "đoàn",
                          "cục", "chi", "thành", "tỉnh", "huyện", "đài", "báo", "viện", "công", "ubnd", "hđnd"}


@dataclass
class Place:
    start: int | None
    end: int | None
    unit: Unit
    written: str  # the name as written (bare)
    via: str  # typed | list | bare | url

    @property
    def merged(self) -> bool:
        """Matched through an alias: a unit since merged into another ("Cửa Lò" -> Vinh)."""
        return self.unit.level != "province" and canonical(self.written) != canonical(self.unit.name)

    @property
    def name(self) -> str:
        return self.written if self.merged else self.unit.name

    def record(self, doc: Doc) -> dict:
        out = self.unit.as_dict()
        if self.merged:
            out.update(name=self.written, code=None, merged_into={"code": self.unit.code, "name": self.unit.name})
        out["source"] = "url" if self.start is None else "text"
        out.update(doc.mention(self.start, self.end) if self.start is not None else {"span": None, "quote": None})
        return out


def _name_tokens(text: str, pos: int, upper_line: bool, allow_digits: bool) -> list[tuple[int, int]]:
    """Capitalised words from `pos` that may form a place name (at most 5)."""
    tokens: list[tuple[int, int]] = []
    while len(tokens) < 5:
        m = _TOKEN.match(text, pos)
        if not m:
            break
        word = m.group()
        if not (word[0].isupper() or (allow_digits and word.isdigit() and not tokens) or upper_line):
            break
        if tokens and not _NAME_JOIN.match(text[tokens[-1][1]:m.start()]):
            break
        tokens.append((m.start(), m.end()))
        nxt = re.match(r"\s?-\s?|\s", text[m.end():m.end() + 3])
        if not nxt:
            break
        pos = m.end() + len(nxt.group())
    return tokens


class PlaceFinder:
    """Finds the places of one document."""

    def __init__(self, doc: Doc, published: date | None) -> None:
        self.doc = doc
        self.g: Gazetteer = gazetteer()
        self.after_reform = bool(published and published >= REFORM_DATE)
        self.url_province, self.url_district = _url_units(self.g, doc.url)
        self.places: list[Place] = []
        self.taken = Occupied(len(doc.norm.text))
        self.commune_names: set[str] = set()

    def find(self) -> list[Place]:
        self._typed()
        runs = _capitalised_runs(self.doc.norm.text)
        self._bare(runs, self._context_provinces(), provinces_only=True)
        self._bare(runs, self._context_provinces(), provinces_only=False)
        self._resolve_ambiguous()
        self.places.sort(key=lambda p: (p.start is None, p.start or 0))
        return self.places

    # -- typed mentions and lists -------------------------------------------------------
    def _typed(self) -> None:
        text, low = self.doc.norm.text, self.doc.norm.lower
        for m in _TYPED.finditer(low):
            if self.taken.overlaps(m.start(), m.end()):
                continue
            plural, type_word = m.group(1), m.group(2)
            kind = _TYPE_WORDS[type_word]
            upper = self.doc.is_upper_line(m.start())
            if not upper and text[m.start(2)].isupper() and m.start(2) > 0 and text[m.start(2) - 1] not in "\n .,:;(\"“-":
                continue
            pos = m.end()
            first = self._typed_name(pos, kind, type_word, upper)
            if not first:
                continue
            end = first.end
            if plural or low[m.end() - 2:m.end()].strip() == ":":
                end = self._list_items(end, kind, type_word, upper)
            self.taken.add(m.start(), end)

    def _typed_name(self, pos: int, kind: str, type_word: str, upper: bool) -> Place | None:
        text = self.doc.norm.text
        tokens = _name_tokens(text, pos, upper, allow_digits=kind in ("district", "commune"))
        for k in range(len(tokens), 0, -1):
            start, end = tokens[0][0], tokens[k - 1][1]
            written = text[start:end]
            unit = self._lookup(written, kind, type_word)
            if unit:
                if unit.level == "commune":
                    self.commune_names.add(canonical(written))
                place = Place(start, end, unit, written if not upper else unit.name, "typed")
                self.places.append(place)
                return place
        return None

    def _list_items(self, pos: int, kind: str, type_word: str, upper: bool) -> int:
        """Continue a list after its first item: ", Lập Thạch", " và Tam Đảo"."""
        text, low = self.doc.norm.text, self.doc.norm.lower
        while True:
            m = re.match(r"\s*(?:,|và|;)\s*(?:(?:và)\s+)?", low[pos:pos + 8])
            if not m or pos + m.end() >= len(text):
                return pos
            nxt = pos + m.end()
            if _TYPED.match(low, nxt):
                return pos
            place = self._typed_name(nxt, kind, type_word, upper)
            if not place:
                return pos
            place.via = "list"
            pos = place.end

    def _lookup(self, written: str, kind: str, type_word: str) -> Unit | None:
        g = self.g
        if kind == "province":
            return g.province(written, normalised=True)
        if kind == "city":
            prov = g.province(written, normalised=True)
            if prov and (prov.code in MUNICIPALITIES or (prov.code == "46" and self.after_reform)):
                return prov
            # "thành phố Vĩnh Yên" is a district-level city; "thành phố Huế" before 2025 has no
            # district entry in the dataset and stands for the province.
            return self._pick(g.district_candidates(written, normalised=True), "thành phố") or prov
        if kind == "district":
            return self._pick(g.district_candidates(written, normalised=True), _TYPE_NAMES.get(type_word, type_word))
        return self._pick(g.commune_candidates(written, self.after_reform, normalised=True), type_word)

    def _pick(self, candidates: list[Unit], type_name: str | None) -> Unit | None:
        if not candidates:
            return None
        typed = [u for u in candidates if u.type == type_name] or candidates
        return typed[0]

    # -- bare names ------------------------------------------------------------------------
    def _context_provinces(self) -> set[str]:
        codes = {p.unit.province_code for p in self.places}
        if self.url_province:
            codes.add(self.url_province.code)
        return codes

    def _bare(self, runs: list[list[tuple[int, int]]], context: set[str], provinces_only: bool) -> None:
        text, low = self.doc.norm.text, self.doc.norm.lower
        first_words = self.g.first_words
        for run in runs:
            i = 0
            while i < len(run):
                matched = 0
                if low[run[i][0]:run[i][1]] not in first_words:
                    i += 1
                    continue
                for j in range(min(len(run), i + 5), i, -1):
                    start, end = run[i][0], run[j - 1][1]
                    if self.taken.overlaps(start, end):
                        continue
                    unit = self._bare_unit(text[start:end], context, start, at_run_end=(j == len(run)),
                                           prev=text[run[i - 1][0]:run[i - 1][1]] if i > 0 else None)
                    if unit and provinces_only and unit.level != "province":
                        unit = None
                    if unit:
                        self.places.append(Place(start, end, unit, text[start:end] if not text[start:end].isupper() else unit.name, "bare"))
                        self.taken.add(start, end)
                        matched = j - i
                        break
                i += matched or 1

    def _bare_unit(self, written: str, context: set[str], start: int, at_run_end: bool,
                   prev: str | None) -> Unit | None:
        """The unit a capitalised name stands for without a type word, if it may stand for one."""
        key = canonical(written, normalised=True)
        upper = written.isupper()
        if len(key.split()) < 2 or key in _NOT_BARE:
            return None
        if not upper and (not at_run_end or (prev and not _allowed_before(prev))):
            return None  # part of a longer name ("Nguyễn Thị Thanh Hà")
        if _INSTITUTION_BEFORE.search(self.doc.norm.text[max(0, start - 60):start]):
            return None
        province = self.g.provinces.get(key)
        if province:
            return province
        if self.after_reform or key in self.commune_names:
            return None
        districts = [u for u in self.g.districts.get(key, []) if u.province_code in context]
        if not districts:
            return None
        if upper and not self._heading(start) and self.doc.line_at(start) != self.doc.line_at(0):
            return None  # in a capitalised line, only a headline names a place without its type word
        return districts[0]

    def _heading(self, pos: int) -> bool:
        return self.doc.title is not None and self.doc.title[0] <= pos < self.doc.title[1]

    def _resolve_ambiguous(self) -> None:
        """Re-pick districts and communes whose name exists in several provinces."""
        context = {p.unit.province_code for p in self.places if p.unit.level == "province"}
        for p in self.places:
            if p.unit.level == "district" and len({u.province_code for u in self.g.district_candidates(p.written, True)}) == 1:
                context.add(p.unit.province_code)  # a district name found in one province only
        if self.url_province:
            context.add(self.url_province.code)
        for place in self.places:
            unit = place.unit
            if unit.level == "province" or (unit.province_code in context and unit.level == "district"):
                continue
            if unit.level == "district":
                pool = self.g.district_candidates(place.written, True)
            else:
                pool = self.g.commune_candidates(place.written, self.after_reform, True)
            districts = {p.unit.code for p in self.places if p.unit.level == "district"}
            better = [u for u in pool if u.district_code in districts] or \
                     [u for u in pool if u.province_code in context and u.type == unit.type] or \
                     [u for u in pool if u.province_code in context]
            if better:
                place.unit = better[0]

    def url_places(self) -> list[Place]:
        """The portal's own units, known only from the address."""
        out = []
        for unit in (self.url_province, self.url_district):
            if unit:
                out.append(Place(None, None, unit, unit.name, "url"))
        return out


def _allowed_before(prev: str) -> bool:
    """A bare name inside a run of capitalised words is a place only after an acronym
    ("Sở TT&TT Hà Tĩnh", "OCOP Cà Mau") or a word capitalised because it starts a sentence."""
    letters = [c for c in prev if c.isalpha()]
    return (len(letters) >= 2 and all(c.isupper() for c in letters)) or prev.lower() in _COMMON_SENTENCE_START


_UPPER = "".join(sorted({c for c in map(chr, range(0x41, 0x1F00)) if c.isupper() and c.isalpha()}))
_WORD_CHARS = r"[^\s,.;:()\[\]“”\"!?/]"
_CAP_WORD = rf"[{_UPPER}]{_WORD_CHARS}*"
_CAP_RUN = re.compile(rf"(?<!{_WORD_CHARS}){_CAP_WORD}(?: {_CAP_WORD})*")


def _capitalised_runs(text: str) -> list[list[tuple[int, int]]]:
    """Runs of capitalised words joined by a space or a hyphen, as lists of word ranges."""
    runs = []
    for m in _CAP_RUN.finditer(text):
        runs.append([(m.start() + w.start(), m.start() + w.end()) for w in _TOKEN.finditer(m.group())])
    return runs


def _url_units(g: Gazetteer, url: str | None) -> tuple[Unit | None, Unit | None]:
    """The province and district a portal address names (muonglat.thanhhoa.gov.vn)."""
    if not url:
        return None, None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # a malformed address places nothing
        return None, None
    labels = [l for l in host.split(".") if l not in ("www", "gov", "vn", "com", "org", "net", "edu")]
    province = None
    for label in labels:
        for key, unit in g.ascii_provinces.items():
            if len(key) >= 5 and key in label or key == label:
                province = unit
                break
        if province:
            break
    district = None
    for label in labels:
        cands = [u for u in g.ascii_districts.get(label, []) if ascii_key(u.name) == label]
        if province and label == ascii_key(province.name):
            continue  # "tuyenquang.dcs.vn" is the province's portal, not its capital city's
        if province:
            cands = [u for u in cands if u.province_code == province.code]
        if len(cands) >= 1 and len({u.province_code for u in cands}) == 1:
            district = cands[0]
            break
    if district and not province:
        province = g.province_by_code[district.province_code]
    return province, district
