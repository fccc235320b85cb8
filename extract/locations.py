"""Places named in the text, resolved against the gazetteer.

Three ways a place is named:
- typed: "huyện Mường Lát", "tỉnh Thanh Hóa", "TP. Tam Kỳ", "xã Sơn Tịnh", also lists
  ("các huyện: Sông Lô, Lập Thạch và thành phố Vĩnh Yên", "02 huyện Duyên Hải, Cầu Ngang");
  numbered urban units ("quận 3", "Q.10", "Q3", "phường 5"), "Q.Bình Thạnh", and communes whose
  name ends in a number ("xã Xuân Quang 2");
- bare: "tại Bình Dương", "Sở TT&TT Hà Tĩnh", "Trường ĐH Vinh", "Trường Chính trị Nghệ An",
  "Viettel Quảng Ninh", "vào Huế"; bare district names before the 2025 reform when their
  province is named in the article or is the portal's, or when only one province has the name
  (after a word of place or motion, "đi Nha Trang", or a name of two words or more: "Hội Nông
  dân Quế Phong", "Cam Lộ: Tập huấn …", "Đài Mường Lát"; not after a person's or a landmark's
  word, "anh Thanh Hà", "chợ Đồng Xuân"), and never when the article uses the name for a commune;
- the URL: the portal's province or district (`span` null), or a city's outlet (sggp.org.vn).
A province named right after a unit decides which unit of that name it is ("huyện Kỳ Sơn, tỉnh
Hòa Bình" in 2018: Hòa Bình's, since merged into its city); dissolved districts are recorded as
merged into the district that took them over.
Names spelled another way (Đăk/Đắk, Ea H'leo/Ea Hleo, Quy/Qui) match through `place_key`.
Ambiguous names are resolved by the other places of the same article and by the portal. The
place-and-date line of a letter ("Hà Nội, ngày 18 tháng 9 năm 2024") is not a place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

from .document import Doc, Occupied
from .gazetteer import MUNICIPALITIES, Gazetteer, Unit, gazetteer, place_key
from .normalize import canonical
from .patterns import opening
from .resources import lexicon, load_yaml

REFORM_DATE = date(2025, 7, 1)
_TYPE_WORDS = {
    "tỉnh": "province", "thủ đô": "province", "thành phố": "city", "tp": "city", "tp.": "city",
    "huyện": "district", "h.": "district", "quận": "district", "thị xã": "district", "tx": "district", "tx.": "district",
    "xã": "commune", "phường": "commune", "thị trấn": "commune", "đặc khu": "commune",
    "q.": "district", "p.": "commune", "q": "district",
}
_TYPE_NAMES = {"tp": "thành phố", "tp.": "thành phố", "tx": "thị xã", "tx.": "thị xã", "thủ đô": "thành phố", "h.": "huyện",
               "q.": "quận", "p.": "phường", "q": "quận"}
_NUMBERED = {"quận", "phường"}  # urban units named by a number: "Quận 3", "Phường 5"
_PLURALS = ["các", "những", *(f"{d}\\d?" for d in "0123456789"), "hai", "ba", "bốn", "năm"]  # (a regex each)
_TYPE_WORDS_RE = ["tỉnh", "thủ đô", "thành phố", r"tp\.?", "huyện", r"h\.", "quận", "thị xã", r"tx\.?", "xã", "phường",
                  "thị trấn", "đặc khu", r"q\.(?=\s?\w)", r"p\.(?=\s?\d)",
                  # "Q3", not "Q3/2023" (a quarter)
                  r"q(?=\d{1,2}(?![\w/-]|\.\d|\s?[/-]\s?\d|\s+năm))"]
_TYPE_SEP = r"(?:\s*:\s*|\s+|(?<=\.)|(?<=q)(?=\d))(?=\S)"
_TYPED = re.compile(r"(?<![\w])(?:(" + "|".join(_PLURALS) + r")\s+)?(" + "|".join(_TYPE_WORDS_RE) + ")" + _TYPE_SEP)
# A type word where _TYPED can match (its look-behind after the first letter: the regex engine skips
# to the first letters); a plural before it is looked for from there (`_typed_matches`).
_TYPE_AT = re.compile(opening([(w[0], w[1:] + _TYPE_SEP) for w in _TYPE_WORDS_RE], [r"\w"]))
_PLURAL_WORDS = {"các", "những", "hai", "ba", "bốn", "năm"}
_LONGEST_PLURAL = 5
_TOKEN = re.compile(r"[^\s,.;:()\[\]“”\"!?/]+")
_NAME_JOIN = re.compile(r"^(?:\s|\s?-\s?)$")
_WORDS_OF_NAME = re.compile(r"[\s-]+")
_DASH = re.compile(r"\s?-\s?")
_LIST_JOIN = re.compile(r"\s*(?:,|và|;)\s*(?:(?:và)\s+)?")
_VOWELS = re.compile(r"[aeiouy]+")
_WORD_BEFORE_CHARS = 24  # how far back `_word_before` looks
_DASH_GAP = 3  # the most characters between two runs joined by a dash (a dash with a space either side)
_NEXT_WORD = re.compile(r"\s?-\s?|\s")
_LEADING_NUMBER = re.compile(r"\d+")
_INITIAL_BEFORE = re.compile(r"(?<!\w)\w\.\s*$")  # a person's initial: "Nguyễn Q. Bình Minh"
_OUTLET_AFTER = re.compile(r"\s*[(–—-]")  # a byline's outlet after its author: "Thanh Hà (TTXVN)"
# The province named right after a unit: "huyện Kỳ Sơn, tỉnh Hòa Bình", "xã Tam Hiệp (Quảng Nam)".
_PROVINCE_AFTER = re.compile(r"\s*(?:,|-|–|\()\s*(?:(tỉnh|thành phố|tp\.?)\s*)?")
# The place-and-date line of a letter or decision: where it was signed, not a place it is about.
_SIGNING_DATE = re.compile(r"\s*,?\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+(?:19|20)\d{2}"
                           r"|\s*,\s*ngày\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*(?:19|20)\d{2}", re.I)
_SIGNING_PREFIX = re.compile(r"(?:số\s*:?\s*\S+)?\s*\|?\s*(?:(?:tỉnh|thành phố|tp\.?|huyện|quận|thị xã|tx\.?|xã|phường|thị trấn)\s*)?",
                             re.I)
# An institution's name: a unit named right after its head ("Trường ĐH Vinh", "Đại học Huế"), after
# its speciality ("Trường Chính trị Nghệ An", "Bệnh viện Đa khoa Thanh Hóa") or in parentheses
# after it ("Trường Đại học Tây Nguyên (Đắk Lắk)") is a place; a centrally-run city after a
# university's speciality is the university's brand ("Trường Đại học Kiến trúc Hà Nội",
# data/places.yml `university_heads`).
_UPPER = "".join(sorted({c for c in map(chr, range(0x41, 0x1F00)) if c.isupper() and c.isalpha()}))
# (the speciality: capitalised words, each with at most three lower-case ones after it: "Đa khoa khu vực")
_INSTITUTION_BEFORE = re.compile(r"(Đại học|ĐH|Học viện|Cao đẳng|Trường|Bệnh viện)((?:\s+(?:Đại học|ĐH|Cao đẳng|CĐ)(?!\w))*)"
                                 rf"((?:\s+[{_UPPER}][^\s,.;:()]*(?:\s+(?![{_UPPER}])[^\s,.;:()]+){{0,3}})*?)\s*$")
# The party committee or youth union of a city, town or district names that unit, not the
# province of the same name ("Thành ủy Lào Cai" is the city's, "Quận ủy Ba Đình" the quận's).
_LOCAL_BODY_BEFORE = re.compile(r"(?<!\w)(thành|thị|huyện|quận)\s+(?:ủy|uỷ|đoàn)\s+$", re.I)
_LOCAL_BODY_TYPE = {"thành": "thành phố", "thị": "thị xã", "huyện": "huyện", "quận": "quận"}
_NOT_BARE = {place_key("Hồ Chí Minh")}  # "tư tưởng Hồ Chí Minh", "Đoàn TNCS Hồ Chí Minh": only typed counts
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
    pinned: bool = False  # its province is named right after it ("huyện Kỳ Sơn, tỉnh Hòa Bình")

    @property
    def merged(self) -> bool:
        """Matched through an alias: a unit since merged into another ("Cửa Lò" -> Vinh). A name
        spelled another way ("Krông Buk", "Buôn Mê Thuột") is the unit itself."""
        if self.unit.level == "province":
            return False
        key = place_key(self.written)
        return key != place_key(self.unit.name) and key not in gazetteer().variant_keys

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
    """Capitalised words from `pos` that may form a place name (at most 5), and a number that
    ends one ("Xuân Quang 2")."""
    tokens: list[tuple[int, int]] = []
    while len(tokens) < 5:
        m = _TOKEN.match(text, pos)
        if not m:
            break
        word = m.group()
        number = word.isdigit() and len(word) <= 2
        if not (word[0].isupper() or (allow_digits and number) or upper_line):
            break
        if tokens and not _NAME_JOIN.match(text[tokens[-1][1]:m.start()]):
            break
        tokens.append((m.start(), m.end()))
        if number:
            break
        nxt = _NEXT_WORD.match(text, m.end())
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
        self.url_province, self.url_district = _url_units(doc.url)
        self.places: list[Place] = []
        self.taken = Occupied(len(doc.norm.text))
        self.commune_names: set[str] = set()

    def find(self) -> list[Place]:
        self._typed()
        candidates = self._bare_candidates()
        self._bare(candidates, self._context_provinces(), provinces_only=True)
        self._bare(candidates, self._context_provinces(), provinces_only=False)
        self._resolve_ambiguous()
        self.places = [p for p in self.places if not self._signing_line(p)]
        self.places.sort(key=lambda p: (p.start is None, p.start or 0))
        return self.places

    # -- typed mentions and lists -------------------------------------------------------
    def _typed(self) -> None:
        text, low = self.doc.norm.text, self.doc.norm.lower
        qualifiers = _qualifiers()
        for m in _typed_matches(low):
            if self.taken.overlaps(m.start(), m.end()):
                continue
            plural, type_word = m.group(1, 2)
            type_start = m.start(2)
            upper = self.doc.is_upper_line(m.start())
            if not upper and text[type_start].isupper() and type_start > 0 and text[type_start - 1] not in "\n .,:;(\"“-":
                continue
            pos = m.end()
            qualified = qualifiers.match(low, pos)  # "huyện miền núi Mường Lát"
            if qualified:
                pos = qualified.end()
            if not upper and not (text[pos:pos + 1].isupper() or text[pos:pos + 1].isdigit()):
                continue  # outside a line of capitals a name opens with a capital or a number ("xã hội")
            if type_word in ("q", "q.") and not self._quan_abbreviation(type_start, pos):
                continue
            kind = _TYPE_WORDS[type_word]
            first = self._typed_name(pos, kind, type_word, upper, type_start=None if qualified else type_start)
            if not first:
                continue
            end = first.end
            if plural or low[m.end() - 2:m.end()].strip() == ":":
                end = self._list_items(end, kind, type_word, upper)
            self.taken.add(m.start(), end)

    def _quan_abbreviation(self, type_start: int, name_start: int) -> bool:
        """Whether "Q3", "Q.3" or "Q.Bình Thạnh" abbreviates a quận: a capital Q not after a
        capitalised word that is no acronym ("Audi Q3"); "Q3" with a number of a quận (1-12)."""
        text = self.doc.norm.text
        if text[type_start] != "Q":
            return False
        before = _word_before(text, type_start)
        if before[:1].isupper() and before[-1].isalnum() and not _allowed_before(before):
            return False
        number = _LEADING_NUMBER.match(text, name_start)
        return not number or 1 <= int(number.group()) <= 12

    def _typed_name(self, pos: int, kind: str, type_word: str, upper: bool,
                    type_start: int | None = None) -> Place | None:
        """The unit named from `pos` on, the longest name first.

        :param type_start: where the type word starts, when it stands right before the name; a
            numbered unit ("quận 3") is quoted with it
        """
        text = self.doc.norm.text
        tokens = _name_tokens(text, pos, upper, allow_digits=kind in ("district", "commune"))
        for k in range(len(tokens), 0, -1):
            start, end = tokens[0][0], tokens[k - 1][1]
            written = text[start:end]
            type_name = _TYPE_NAMES.get(type_word, type_word)
            if written.isdigit():
                if type_name not in _NUMBERED:
                    continue
                written = f"{type_name} {int(written)}".capitalize()
                start = type_start if type_start is not None else start
            unit = self._lookup(written, kind, type_word)
            if unit:
                if unit.level == "commune":
                    self.commune_names.add(canonical(written))
                unit, pinned = self._in_province_named_after(unit, written, end)
                if unit is None:
                    return None
                place = Place(start, end, unit, written if not upper else unit.name, "typed", pinned)
                self.places.append(place)
                return place
        return None

    def _in_province_named_after(self, unit: Unit, written: str, end: int) -> tuple[Unit | None, bool]:
        """The unit so named in the province named right after it ("huyện Kỳ Sơn, tỉnh Hòa Bình" in
        2018 is Hòa Bình's, since merged into its city, not Nghệ An's Kỳ Sơn), and whether a
        province was named there; None when the province named has no unit so named (another
        province's would place the activity there). A 2025 commune is looked for in the province
        of the same name after the reform ("xã Tân Long, tỉnh Đồng Tháp" in 2025: the new Đồng
        Tháp, which took in Tiền Giang).

        :param end: where the name ends
        """
        if unit.level == "province":
            return unit, False
        pool = self.g.district_candidates(written, True) if unit.level == "district" else \
            self.g.commune_candidates(written, self.after_reform, True)
        if len({u.province_code for u in pool}) < 2:
            return unit, False  # the name is one province's: nothing to decide
        m = _PROVINCE_AFTER.match(self.doc.norm.lower, end)
        if not m:
            return unit, False
        tokens = _name_tokens(self.doc.norm.text, m.end(), False, allow_digits=False)
        province = None
        for k in range(min(len(tokens), 4), 0, -1):
            province = self.g.province(self.doc.norm.text[tokens[0][0]:tokens[k - 1][1]], normalised=True,
                                       typed=m.group(1) is not None)
            if province:
                break
        if province is None:
            return unit, False
        there = [u for u in pool if _in_province(u, {province.code}, {province.province_code_2025})]
        if not there:
            return None, True
        if unit not in there:
            unit = next((u for u in there if u.type == unit.type), there[0])
        return unit, True

    def _list_items(self, pos: int, kind: str, type_word: str, upper: bool) -> int:
        """Continue a list after its first item: ", Lập Thạch", " và Tam Đảo"."""
        text, low = self.doc.norm.text, self.doc.norm.lower
        while True:
            m = _LIST_JOIN.match(low[pos:pos + 8])
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
            candidates = g.district_candidates(written, normalised=True)
            if type_word in ("q", "q.") and not written.startswith("Quận"):
                candidates = [u for u in candidates if u.type == "quận"]  # "Q.Bình Thạnh": a quận's name
            return self._pick(candidates, _TYPE_NAMES.get(type_word, type_word))
        return self._pick(g.commune_candidates(written, self.after_reform, normalised=True),
                          _TYPE_NAMES.get(type_word, type_word))

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

    def _bare_candidates(self) -> list[tuple[list[tuple[int, int]], dict[int, list[int]]]]:
        """The runs of capitalised words (`_CAP_RUN`) that hold a province's or district's
        name, each with its candidate spans: first word -> last words (exclusive), longest first.

        Two runs around a dash are one when a unit's name spans it ("Thừa Thiên - Huế", "Bà Rịa -
        Vũng Tàu"); "Hà Nội - Hải Phòng" stays two runs. Runs are read, joined and tested in one
        pass (most are one word: its key is taken once)."""
        text = self.doc.norm.text
        g = self.g
        first_keys, bare_keys, single_keys, prefixes = g.first_keys, g.bare_keys, g.single_word_keys, g.bare_prefixes
        out: list[tuple[list[tuple[int, int]], dict[int, list[int]]]] = []

        def keep(run: list[tuple[int, int]]) -> None:
            """Keep a run of several words with its candidate spans, if it has any."""
            spans: dict[int, list[int]] = {}
            for i, (a, b) in enumerate(run):
                key = place_key(text[a:b])
                if key not in first_keys:
                    continue
                ends = []
                last = min(len(run), i + 5)
                if last >= i + 2:
                    two = place_key(text[a:run[i + 1][1]])
                    # A longer name's key opens with the key of its first two words (a final "k"
                    # of theirs may be the "c" of "ch" across the words): none, no longer name.
                    if two in prefixes or (two[-1:] == "k" and two[:-1] + "c" in prefixes):
                        ends = [j for j in range(last, i + 2, -1) if place_key(text[a:run[j - 1][1]]) in bare_keys]
                        if two in bare_keys:
                            ends.append(i + 2)
                if key in bare_keys:  # (the word alone, its key taken)
                    ends.append(i + 1)
                if ends:
                    spans[i] = ends
            if spans:
                out.append((run, spans))

        # The run read last: its word ranges (None while it is one word, `single`), where it ends.
        before: list[tuple[int, int]] | None = None
        single: tuple[int, int] | None = None
        before_end = -_DASH_GAP - 1
        for m in _CAP_RUN.finditer(text):
            start, end = m.span()
            words = m.group()
            if start - before_end <= _DASH_GAP and _DASH.fullmatch(text, before_end, start):
                joined = before if before is not None else [single]
                run = _word_ranges(words, start) if " " in words else [(start, end)]
                if any(place_key(text[joined[-a][0]:run[b - 1][1]]) in bare_keys
                       for a in range(1, min(3, len(joined)) + 1) for b in range(1, min(3, len(run)) + 1)):
                    joined.extend(run)
                    before, single, before_end = joined, None, end
                    continue
            if before is not None:
                keep(before)
            elif single is not None and single_key in single_keys:
                out.append(([single], {0: [1]}))
            if " " in words:
                before, single = _word_ranges(words, start), None
            else:  # most runs: one word, its own name or nothing
                before, single, single_key = None, (start, end), place_key(words)
            before_end = end
        if before is not None:
            keep(before)
        elif single is not None and single_key in single_keys:
            out.append(([single], {0: [1]}))
        return out

    def _bare(self, candidates: list[tuple[list[tuple[int, int]], dict[int, list[int]]]], context: set[str],
              provinces_only: bool) -> None:
        text = self.doc.norm.text
        for run, spans in candidates:
            i = 0
            while i < len(run):
                matched = 0
                lead = None
                for j in spans.get(i, ()):
                    start, end = run[i][0], run[j - 1][1]
                    if self.taken.overlaps(start, end):
                        continue
                    if lead is None:
                        lead = text[run[i - 1][0]:run[i - 1][1]] if i > 0 else _word_before(text, run[i][0])
                    unit = self._bare_unit(text[start:end], context, start, at_run_end=(j == len(run)),
                                           inside_run=i > 0, lead=lead)
                    if unit and provinces_only and unit.level != "province":
                        unit = None
                    if unit:
                        self.places.append(Place(start, end, unit, text[start:end] if not text[start:end].isupper() else unit.name, "bare"))
                        self.taken.add(start, end)
                        matched = j - i
                        break
                i += matched or 1

    def _bare_unit(self, written: str, context: set[str], start: int, at_run_end: bool,
                   inside_run: bool, lead: str) -> Unit | None:
        """The unit a capitalised name stands for without a type word, if it may stand for one.

        :param inside_run: capitalised words stand before the name ("Sở TT&TT Hà Tĩnh")
        :param lead: the word before the name ("vào", "ĐH", "(")
        """
        key = canonical(written, normalised=True)
        folded = place_key(written)
        upper = written.isupper()
        if folded in _NOT_BARE:
            return None
        institution = None if lead == "(" else _INSTITUTION_BEFORE.search(self.doc.norm.text[max(0, start - 60):start])
        if institution and self._university_brand(institution, key, folded):
            return None
        local_body = _LOCAL_BODY_BEFORE.search(self.doc.norm.text[max(0, start - 16):start])
        # "vào Huế", "đi Nha Trang", "(Ninh Giang)", "Trường ĐH Vinh", "Thành ủy Vinh"
        # a word of place, or the head of an institution right before the name
        by_word = lead.lower() in _place_lead_words() or lead == "(" or local_body is not None or \
            (institution is not None and not institution.group(3).strip())
        placed = by_word or institution is not None
        one_word = len(_WORDS_OF_NAME.split(key)) < 2  # ("TT-Huế" is two)
        if one_word and not (placed or _acronym(lead) or _acronym(written) or self._run_together(folded)):
            # one word ("Vinh", "Huế") is a place only after a word of place or an acronym, or as
            # an abbreviation ("TPHCM") or a name run together ("Kontum")
            return None
        if not upper and (not at_run_end or (inside_run and not (_allowed_before(lead) or institution))):
            return None  # part of a longer name ("Nguyễn Thị Thanh Hà")
        province = self.g.provinces.get(key) or self.g.province_keys.get(folded)
        if local_body and not self.after_reform and (not province or province.code not in MUNICIPALITIES):
            own = _LOCAL_BODY_TYPE[local_body.group(1).lower()]
            candidates = [u for u in self.g.district_candidates(written, normalised=True) if u.type == own]
            if province:
                candidates = [u for u in candidates if u.province_code == province.code]
            if candidates:
                return candidates[0]
        if province:
            return province
        if self.after_reform or key in self.commune_names:
            return None
        if one_word and len(_VOWELS.findall(folded)) < 2:
            # a single syllable spelled another way is too often something else ("Vĩnh" is not Vinh)
            candidates = self.g.districts.get(key, [])
        else:
            candidates = self.g.district_candidates(written, normalised=True)
        districts = [u for u in candidates if u.province_code in context]
        if not districts and len({u.province_code for u in candidates}) == 1 and \
                (by_word or (not one_word and folded not in _named_after_people()
                             and self._named_alone(start, len(written)))):
            # a name only one province has, where a place is expected or in a name of two words or
            # more that nothing else explains ("Hội Nông dân Quế Phong", "Cam Lộ: Tập huấn …")
            districts = candidates
        if not districts:
            return None
        if upper and not self._heading(start) and self.doc.line_at(start) != self.doc.line_at(0):
            return None  # in a capitalised line, only a headline names a place without its type word
        return districts[0]

    def _university_brand(self, institution: re.Match, key: str, folded: str) -> bool:
        """Whether the name is a centrally-run city after a university's speciality ("Trường Đại
        học Kiến trúc Hà Nội"), the university's brand rather than a place."""
        heads = _university_heads()
        university = institution.group(1) in heads or any(h in institution.group(2) for h in heads)
        province = self.g.provinces.get(key) or self.g.province_keys.get(folded)
        return university and bool(institution.group(3).strip()) and province is not None \
            and province.code in MUNICIPALITIES

    def _named_alone(self, start: int, length: int) -> bool:
        """Whether a capitalised name with nothing of place around it may still be a unit's: not
        after a word that makes it a person's, a street's or a landmark's ("anh Thanh Hà", "chợ
        Đồng Xuân", "chiến thắng Điện Biên Phủ"), and not a byline's author (a line of its own,
        "Tin, ảnh: Thanh Hà", "Thanh Hà (TTXVN)")."""
        text = self.doc.norm.text
        window = max(0, start - 24)
        if _not_a_place_before().search(text, window, start) or _byline_before().search(text, window, start) \
                or _INITIAL_BEFORE.search(text, max(0, start - 4), start):
            return False
        if self._heading(start):
            return True
        line_start, line_end = self.doc.line_at(start)
        end = start + length
        # (only the 40 characters around are looked at: a long line holds more than the name)
        before, after = max(line_start, start - 40), min(line_end, end + 40)
        opens_line = before == line_start and not text[before:start].strip()
        if opens_line and after == line_end and (not text[end:after].strip(" .") or _OUTLET_AFTER.match(text, end, after)):
            return False
        return True

    def _run_together(self, folded: str) -> bool:
        """A province's name of several syllables written as one word ("Kontum", "Daklak")."""
        province = self.g.province_keys.get(folded)
        return province is not None and len(province.name.split()) > 1 and place_key(province.name) == folded

    def _heading(self, pos: int) -> bool:
        return self.doc.title is not None and self.doc.title[0] <= pos < self.doc.title[1]

    def _signing_line(self, place: Place) -> bool:
        """Whether the place opens the place-and-date line of a letter ("Hà Nội, ngày 18 tháng 9
        năm 2024", also after the document's number on the same line)."""
        text = self.doc.norm.text
        if place.start is None or not _SIGNING_DATE.match(text, place.end):
            return False
        line_start = self.doc.line_at(place.start)[0]
        return place.start - line_start <= 60 and bool(_SIGNING_PREFIX.fullmatch(text[line_start:place.start].strip()))

    def _resolve_ambiguous(self) -> None:
        """Re-pick districts and communes whose name exists in several provinces: districts by
        the provinces named (and the portal's), then communes by the districts so chosen."""
        # The units whose province is the context's (its codes before and after the reform).
        context_units = [p.unit for p in self.places if p.unit.level == "province"]
        for p in self.places:
            if p.unit.level == "district" and len({u.province_code for u in self.g.district_candidates(p.written, True)}) == 1:
                context_units.append(p.unit)  # a district name found in one province only
        if self.url_province:
            context_units.append(self.url_province)
        context = {u.province_code for u in context_units}
        context_2025 = {u.province_code_2025 for u in context_units}
        for level in ("district", "commune"):
            districts = {p.unit.code for p in self.places if p.unit.level == "district"}
            for place in self.places:
                unit = place.unit
                if unit.level != level or place.pinned or (level == "district" and unit.province_code in context):
                    continue
                if level == "district":
                    pool = self.g.district_candidates(place.written, True)
                else:
                    pool = self.g.commune_candidates(place.written, self.after_reform, True)
                in_district = [u for u in pool if u.district_code in districts]
                in_context = [u for u in pool if _in_province(u, context, context_2025)]
                better = [u for u in in_district if u.type == unit.type] or in_district or \
                         [u for u in in_context if u.type == unit.type] or in_context
                if better:
                    place.unit = better[0]

    def url_places(self) -> list[Place]:
        """The portal's own units, known only from the address."""
        out = []
        for unit in (self.url_province, self.url_district):
            if unit:
                out.append(Place(None, None, unit, unit.name, "url"))
        return out


def _in_province(unit: Unit, codes: set[str], codes_2025: set[str | None]) -> bool:
    """Whether a unit lies in one of some provinces, given by their codes before and after the
    reform: a 2025 commune by the province after it (its own era), any other unit by the one before."""
    return unit.province_code_2025 in codes_2025 if unit.era == "2025" else unit.province_code in codes


def _typed_matches(low: str):
    """The matches of `_TYPED.finditer(low)`, found from their type words: scanning for a type word
    is much faster than trying _TYPED (which may open with a plural) at every position.

    A match either opens with the type word or with a plural right before it ("các huyện", "02
    xã"): the plural is the whole word that ends where the white space before the type word
    starts (a plural is letters or digits, with no word character before it), at most five
    characters long, so that one word is tried."""
    end = 0
    for hit in _TYPE_AT.finditer(low):
        space = hit.start()
        while space > end and low[space - 1].isspace():
            space -= 1
        match = None
        if space < hit.start():
            start, limit = space, max(end, space - _LONGEST_PLURAL)
            while start > limit and _is_word_char(low[start - 1]):
                start -= 1
            if start < space and (start == 0 or not _is_word_char(low[start - 1])):
                word = low[start:space]
                if word in _PLURAL_WORDS or (len(word) <= 2 and word.isdecimal()):
                    match = _TYPED.match(low, start)
        match = match or _TYPED.match(low, hit.start())
        end = match.end()
        yield match


def _is_word_char(c: str) -> bool:
    """Whether `c` is what the regex class `\\w` matches (a letter, digit or "_")."""
    return c.isalnum() or c == "_"


def _word_before(text: str, pos: int) -> str:
    """The word (or opening parenthesis) right before `pos` on the same line, within 24 characters:
    the white space before `pos` skipped, then the characters back to a space or "(" (read
    backwards: a pattern anchored at the end would be tried, and backtrack, at every position)."""
    start = max(0, pos - _WORD_BEFORE_CHARS)
    end = pos
    while end > start and text[end - 1].isspace():
        end -= 1
    if end == start:
        return ""
    begin = end - 1
    if text[begin] != "(":
        begin = end
        while begin > start and not text[begin - 1].isspace() and text[begin - 1] != "(":
            begin -= 1
    return "" if "\n" in text[begin:pos] else text[begin:end]


def _acronym(word: str) -> bool:
    letters = "".join(filter(str.isalpha, word))
    return len(letters) >= 2 and all(map(str.isupper, letters))


@lru_cache(maxsize=1)
def _qualifiers() -> re.Pattern:
    words = sorted(lexicon()["unit_qualifiers"], key=len, reverse=True)
    return re.compile(r"(?:(?:" + "|".join(map(re.escape, words)) + r")\s+){1,3}(?=\S)")


@lru_cache(maxsize=1)
def _place_lead_words() -> frozenset[str]:
    return frozenset(lexicon()["place_lead_words"])


@lru_cache(maxsize=1)
def _places_data() -> dict:
    return load_yaml("places.yml")


@lru_cache(maxsize=1)
def _not_a_place_before() -> re.Pattern:
    """The words before a name that make it a person's, a street's or a landmark's, ending the text
    searched (data/places.yml `not_a_place_before`)."""
    words = sorted(_places_data()["not_a_place_before"], key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")\s+$", re.I)


@lru_cache(maxsize=1)
def _byline_before() -> re.Pattern:
    """A byline's opening words and colon, ending the text searched ("Tin, ảnh: ")."""
    words = "|".join(map(re.escape, sorted(_places_data()["byline_words"], key=len, reverse=True)))
    return re.compile(rf"(?<!\w)(?:{words})(?:\s*(?:,|và|-)\s*(?:{words}))*\s*:\s*$", re.I)


@lru_cache(maxsize=1)
def _named_after_people() -> frozenset[str]:
    return frozenset(place_key(name) for name in _places_data()["named_after_people"])


@lru_cache(maxsize=1)
def _brands() -> frozenset[str]:
    return frozenset(w.lower() for w in _places_data()["brands_before"])


@lru_cache(maxsize=1)
def _university_heads() -> tuple[str, ...]:
    return tuple(_places_data()["university_heads"])


def _allowed_before(prev: str) -> bool:
    """A bare name inside a run of capitalised words is a place only after an acronym
    ("Sở TT&TT Hà Tĩnh", "OCOP Cà Mau"), a brand's name ("Viettel Quảng Ninh") or a word
    capitalised because it starts a sentence."""
    low = prev.lower()
    return _acronym(prev) or low in _COMMON_SENTENCE_START or low in _brands()


_WORD_CHARS = r"[^\s,.;:()\[\]“”\"!?/]"
_CAP_WORD = rf"[{_UPPER}]{_WORD_CHARS}*"
# (The test that no word character stands before comes after the first capital: the regex engine
# then skips to capitals.)
_CAP_RUN = re.compile(rf"[{_UPPER}](?<!{_WORD_CHARS}[\s\S]){_WORD_CHARS}*(?: +{_CAP_WORD})*")


def _word_ranges(words: str, start: int) -> list[tuple[int, int]]:
    """The ranges of the words of a run of capitalised words found at `start` (spaces between the
    words, "Bắc  Kạn" too; none inside a word)."""
    pos, run = start, []
    for word in words.split(" "):
        if word:
            run.append((pos, pos + len(word)))
        pos += len(word) + 1
    return run


def _url_units(url: str | None) -> tuple[Unit | None, Unit | None]:
    """The province and district a portal address names (muonglat.thanhhoa.gov.vn)."""
    if not url:
        return None, None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # a malformed address places nothing
        return None, None
    return _host_units(host)


@lru_cache(maxsize=4096)
def _host_units(host: str) -> tuple[Unit | None, Unit | None]:
    """The units of one host name (cached: a crawl brings many pages of one portal): a known outlet's
    province (data/places.yml `outlets`), else the units its labels spell."""
    g = gazetteer()
    outlet = _places_data()["outlets"].get(host.removeprefix("www."))
    if outlet:
        return g.province(outlet), None
    labels = [place_key(l) for l in host.split(".") if l not in ("www", "gov", "vn", "com", "org", "net", "edu")]
    province = None
    for label in labels:
        for key, unit in [*g.province_keys.items(), *g.province_alias_keys.items()]:
            if len(key) >= 5 and key in label or key == label:
                province = unit
                break
        if province:
            break
    district = None
    for label in labels:
        cands = [u for u in g.district_keys.get(label, []) if place_key(u.name) == label]
        if province and label == place_key(province.name):
            continue  # "tuyenquang.dcs.vn" is the province's portal, not its capital city's
        if province:
            cands = [u for u in cands if u.province_code == province.code]
        if len(cands) >= 1 and len({u.province_code for u in cands}) == 1:
            district = cands[0]
            break
    if district and not province:
        province = g.province_by_code[district.province_code]
    return province, district
