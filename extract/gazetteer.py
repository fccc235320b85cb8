"""Vietnamese administrative units with codes and coordinates, before and after July 2025.

Built once per process from the dataset shipped by the PyPI package `vietnamadminunits`:
`admin_units_legacy` (63 provinces, 696 districts, ~10,000 communes, early-2025 state) and
`admin_units` (34 provinces, 3,321 communes after the 2025 reform), plus its old->new mapping.
Districts dissolved before that table and the package keeps no keyword of (Từ Liêm, Yên Hưng),
and popular spellings of a district's name (Buôn Mê Thuột), come from data/places.yml.
"""
from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from .normalize import canonical
from .resources import load_yaml

MUNICIPALITIES = {"01", "31", "48", "79", "92"}  # Hà Nội, Hải Phòng, Đà Nẵng, TP.HCM, Cần Thơ
# Names a pre-2025 article uses for a province that the dataset spells otherwise (spellings that
# differ only as `place_key` folds them, "Đăk Lăk", "Thừa Thiên-Huế", need no entry).
_PROVINCE_ALIASES = {
    "46": ["Thừa Thiên Huế", "TT Huế", "Huế"],
    "79": ["HCM", "TP.HCM"],
    "77": ["BR-VT", "Vũng Tàu"],
}
_DISPLAY_NAME = {"46": "Thừa Thiên Huế"}  # the pre-July-2025 name the articles knew
# Districts the dataset spells otherwise than their official pre-2025 name.
_DISTRICT_DISPLAY_NAME = {"467": "Đakrông", "137": "Mù Cang Chải"}
_TYPE_PREFIXES = ("huyen", "quan", "thixa", "thanhpho")  # how the dataset's keywords spell a type


@lru_cache(maxsize=65536)
def place_key(name: str) -> str:
    """The one folding key for unit names written another way: no diacritics or tone marks (Đăk,
    Đắk, Đak; hòa, hoà, hóa), đ = d, no spaces, hyphens or apostrophes (Ea H'leo, Ea Hleo;
    Cư M'gar), y = i (Quy/Qui, Kỳ/Kì), c = k (Đắc/Đắk, Krông Pắc/Pắk; "ch" stays). Used for
    the gazetteer's own names, its aliases, names in text and labels of web addresses alike.

    :param name: a unit name as written (or a key of the dataset: "phuchoa")
    """
    t = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    t = re.sub(r"[^a-z0-9]", "", "".join(c for c in t if not unicodedata.combining(c)).lower())
    return re.sub(r"c(?!h)", "k", t.replace("y", "i"))


def _bare(short: str | None) -> str | None:
    """Short name without the dataset's disambiguation: "Hồng Ngự (huyện)" -> "Hồng Ngự"."""
    return re.sub(r"\s*\(.*?\)\s*$", "", short) if short else short


@dataclass(frozen=True)
class Unit:
    """One administrative unit."""

    code: str
    name: str
    type: str
    level: str  # province | district | commune
    province: str
    province_code: str
    district: str | None
    district_code: str | None
    lat: float | None
    lon: float | None
    era: str  # legacy (before 1 July 2025) | 2025
    post_2025: tuple[tuple[str, str | None], ...] | None = None

    @property
    def province_code_2025(self) -> str | None:
        """The code of its province after the 2025 reform (a 2025 unit's `province_code` is that
        of the province it lay in before, as every unit's is)."""
        return dict(self.post_2025).get("province_code") if self.post_2025 else None

    def as_dict(self) -> dict:
        return {
            "name": self.name, "type": self.type, "level": self.level, "province": self.province,
            "province_code": self.province_code, "district": self.district, "code": self.code,
            "lat": self.lat, "lon": self.lon, "era": self.era,
            "post_2025": dict(self.post_2025) if self.post_2025 else None,
        }


class Gazetteer:
    """Look-ups by name key (`canonical`), else by folded key (`place_key`), per level and era.

    `province_keys` holds the official names and the usual aliases; `province_alias_keys` adds the
    dataset's own short aliases ("hn", "baria"), which only a typed mention may use ("Bà Rịa" bare
    is the city). District keys include the dataset's names of merged and divided districts.
    """

    def __init__(self) -> None:
        self.provinces: dict[str, Unit] = {}
        self.provinces_2025: dict[str, Unit] = {}
        self.districts: dict[str, list[Unit]] = defaultdict(list)
        self.communes: dict[str, list[Unit]] = defaultdict(list)
        self.communes_2025: dict[str, list[Unit]] = defaultdict(list)
        self.province_by_code: dict[str, Unit] = {}
        self.province_keys: dict[str, Unit] = {}
        self.province_alias_keys: dict[str, Unit] = {}
        self.district_keys: dict[str, list[Unit]] = defaultdict(list)
        self.commune_keys: dict[str, list[Unit]] = defaultdict(list)
        self.commune_keys_2025: dict[str, list[Unit]] = defaultdict(list)
        self._district_cache: dict[tuple[str, bool], list[Unit]] = {}  # name as written -> district_candidates
        self._load()
        # Folded first syllables of every province and district name, and the folded names: cheap
        # filters for bare names.
        # Keys of popular spellings (data/places.yml): the unit itself, not a unit merged into it.
        self.variant_keys = frozenset(place_key(e["name"]) for e in load_yaml("places.yml")["district_variants"])
        self.first_keys = frozenset([*(place_key(re.split(r"[\s-]", k)[0]) for k in [*self.provinces, *self.districts]),
                                     *self.province_keys,  # "Kontum" written as one word
                                     *self._alias_first_keys()])
        self.bare_keys = frozenset([*self.province_keys, *self.district_keys])
        self.single_word_keys = self.first_keys & self.bare_keys  # a one-word run's own name
        self.bare_prefixes = frozenset(k[:i] for k in self.bare_keys for i in range(1, len(k) + 1))  # (a name goes on)

    def _alias_first_keys(self) -> set[str]:
        """First syllables of the names that only aliases spell ("cualo" for Cửa Lò, merged into Vinh;
        "Buôn Mê Thuột"): a commune often keeps the name with its diacritics, data/places.yml has
        its own names."""
        current = {place_key(k) for k in self.districts}
        out = set()
        for key in self.district_keys:
            if key not in current:
                communes = self.commune_keys.get(key) or self.commune_keys_2025.get(key)
                if communes:
                    out.add(place_key(communes[0].name.split()[0]))
        data = load_yaml("places.yml")
        for entry in [*data["former_districts"], *data["district_variants"]]:
            out.add(place_key(entry["name"].split()[0]))
        return out

    def _load(self) -> None:
        data = files("vietnamadminunits") / "data"
        conn = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
        new_provinces = {r["provinceKey"]: r for r in conn.execute(
            "SELECT DISTINCT provinceKey, provinceShort, provinceCode FROM admin_units")}
        old_to_new_province = {old: new_provinces[new] for new, olds in converter["DICT_PROVINCE"].items()
                               for old in olds if new in new_provinces}
        old_to_new_ward = {}
        for new_prov, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for new_ward, olds in wards.items():
                for old in olds:
                    old_to_new_ward[old] = (new_prov, new_ward)
        for new_prov, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old, choices in olds.items():
                default = next((c for c in choices if c.get("isDefaultNewWard")), choices[0])
                old_to_new_ward[old] = (new_prov, default["newWardKey"])
        new_wards = {(r["provinceKey"], r["wardKey"]): r for r in conn.execute(
            "SELECT provinceKey, wardKey, ward, wardShort, wardType, wardCode, wardLat, wardLon,"
            " province, provinceShort, provinceCode, provinceLat, provinceLon FROM admin_units")}

        seen_districts = set()
        # The provinces (before the reform) of the communes each 2025 commune was made of.
        former_provinces: dict[tuple[str, str], set[str]] = defaultdict(set)
        for r in conn.execute("SELECT * FROM admin_units_legacy"):
            pcode = r["provinceCode"]
            new_prov = old_to_new_province.get(r["provinceKey"])
            prov_after = (("province", new_prov["provinceShort"]), ("province_code", new_prov["provinceCode"])) if new_prov else None
            if pcode not in self.province_by_code:
                name = _DISPLAY_NAME.get(pcode, r["provinceShort"])
                unit = Unit(pcode, name, "thành phố" if pcode in MUNICIPALITIES or pcode == "46" else "tỉnh",
                            "province", name, pcode, None, None, r["provinceLat"], r["provinceLon"], "legacy", prov_after)
                self.province_by_code[pcode] = unit
                for alias in [r["provinceShort"], *_PROVINCE_ALIASES.get(pcode, [])]:
                    self.provinces[canonical(alias)] = unit
                    self.province_keys[place_key(alias)] = unit
                for key in json.loads(r["provinceAlias"] or "[]"):
                    self.province_alias_keys[place_key(key)] = unit
            province = self.province_by_code[pcode]
            dcode = r["districtCode"]
            if dcode and dcode not in seen_districts:
                seen_districts.add(dcode)
                dname = _DISTRICT_DISPLAY_NAME.get(dcode, _bare(r["districtShort"]))
                unit = Unit(dcode, dname, r["districtType"].lower(), "district", province.name, pcode,
                            None, None, r["districtLat"], r["districtLon"], "legacy", prov_after)
                for spelling in {dname, _bare(r["districtShort"])}:
                    self.districts[canonical(spelling)].append(unit)
                    _add_once(self.district_keys, place_key(spelling), unit)
                aliases = json.loads(r["districtAlias"] or "[]")
                for key in aliases:
                    if not _typed_keyword(key, [*aliases, r["districtShortKey"]]):
                        _add_once(self.district_keys, place_key(key), unit)
            if r["wardCode"]:
                full_key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"
                after = None
                if full_key in old_to_new_ward:
                    former_provinces[old_to_new_ward[full_key]].add(pcode)
                    nw = new_wards.get(old_to_new_ward[full_key])
                    if nw:
                        after = (("name", _bare(nw["wardShort"])), ("type", nw["wardType"].lower()), ("code", nw["wardCode"]),
                                 ("province", nw["provinceShort"]), ("province_code", nw["provinceCode"]))
                unit = Unit(r["wardCode"], _bare(r["wardShort"]), (r["wardType"] or "xã").lower(), "commune", province.name,
                            pcode, _DISTRICT_DISPLAY_NAME.get(dcode, _bare(r["districtShort"])), dcode, r["wardLat"],
                            r["wardLon"], "legacy", after)
                self.communes[canonical(_bare(r["wardShort"]))].append(unit)
                self.commune_keys[place_key(_bare(r["wardShort"]))].append(unit)
        self._add_divided_districts(data)
        self._add_former_districts()
        for r in new_wards.values():
            pcode = r["provinceCode"]
            if canonical(r["provinceShort"]) not in self.provinces_2025:
                self.provinces_2025[canonical(r["provinceShort"])] = Unit(
                    pcode, r["provinceShort"], "thành phố" if r["province"].startswith("Thành phố") else "tỉnh",
                    "province", r["provinceShort"], pcode, None, None, r["provinceLat"], r["provinceLon"], "2025")
            itself = (("name", _bare(r["wardShort"])), ("type", r["wardType"].lower()), ("code", r["wardCode"]),
                      ("province", r["provinceShort"]), ("province_code", pcode))
            # Its province as the records give every unit's: the one it lay in before the reform
            # (a 2025 code is another province's before it: Gia Lai's 52 was Bình Định's); for a
            # special zone made of an island district without communes (Côn Đảo, of Bà Rịa - Vũng
            # Tàu), that district's; else the former province of the new one's name.
            former = former_provinces.get((r["provinceKey"], r["wardKey"]), set())
            if not former:
                former = {u.province_code for u in self.districts.get(canonical(_bare(r["wardShort"])), [])
                          if u.province_code_2025 == pcode}
            province = self.province_by_code[next(iter(former))] if len(former) == 1 else \
                self.provinces.get(canonical(r["provinceShort"]))
            unit = Unit(r["wardCode"], _bare(r["wardShort"]), r["wardType"].lower(), "commune",
                        province.name if province else r["provinceShort"], province.code if province else pcode,
                        None, None, r["wardLat"], r["wardLon"], "2025", itself)
            self.communes_2025[canonical(_bare(r["wardShort"]))].append(unit)
            self.commune_keys_2025[place_key(_bare(r["wardShort"]))].append(unit)
        conn.close()

    def _add_divided_districts(self, data) -> None:
        """Districts abolished by being divided among others (Trà Lĩnh, Cao Bằng, 2020): the dataset
        keeps their keys; the name stands for the first district that took a part of it."""
        parser = json.loads((data / "parser_legacy.json").read_text(encoding="utf-8"))
        current = {}
        for units in self.districts.values():
            for u in units:
                current[u.code] = u
        district_codes = {}
        for province_key, districts in parser["DICT_PROVINCE_DISTRICT"].items():
            for district_key, info in districts.items():
                district_codes[(province_key, district_key)] = info.get("districtCode")
        for province_key, divided in parser["DICT_PROVINCE_DISTRICT_DIVIDED"].items():
            for old_key, info in divided.items():
                if (province_key, old_key) in district_codes:
                    continue  # still a district of its own
                heirs = [current.get(district_codes.get((province_key, k))) for k in info["districts"]]
                heirs = [u for u in heirs if u]
                if heirs:
                    keywords = info.get("dividedDistrictKeywords", [])
                    for key in keywords:
                        if not _typed_keyword(key, keywords):
                            _add_once(self.district_keys, place_key(key), heirs[0])

    def _add_former_districts(self) -> None:
        """Districts dissolved before the dataset's table and popular spellings of a district's
        name (data/places.yml): each name stands for the district of today that took it over."""
        data = load_yaml("places.yml")
        entries = [(e["name"], e["province"], e["successor"]) for e in data["former_districts"]] + \
                  [(e["name"], e["province"], e["district"]) for e in data["district_variants"]]
        for name, province, successor in entries:
            pcode = self.province(province).code
            heir = next(u for u in self.district_keys[place_key(successor)] if u.province_code == pcode)
            _add_once(self.district_keys, place_key(name), heir)

    def province(self, name: str, normalised: bool = False, typed: bool = True) -> Unit | None:
        """The province so named (also by alias or spelled another way).

        :param normalised: `name` is a slice of normalised text (NFC, traditional tone marks)
        :param typed: the text says "tỉnh"/"thành phố": the dataset's short aliases count too
        """
        unit = self.provinces.get(canonical(name, normalised))
        if unit:
            return unit
        key = place_key(name)
        return self.province_keys.get(key) or (self.province_alias_keys.get(key) if typed else None)

    def district_candidates(self, name: str, normalised: bool = False) -> list[Unit]:
        """Districts so named, then those that took over a former district so named ("Kỳ Sơn" of Hòa
        Bình, 2020) or are named so when spelled another way."""
        found = self._district_cache.get((name, normalised))
        if found is None:
            exact = self.districts.get(canonical(name, normalised), [])
            folded = self.district_keys.get(place_key(name), [])
            found = exact + [u for u in folded if u not in exact] if exact else folded
            if len(self._district_cache) < 65536:
                self._district_cache[(name, normalised)] = found
        return found

    def commune_candidates(self, name: str, after_reform: bool | None, normalised: bool = False) -> list[Unit]:
        """Communes so named; `after_reform` picks the era (None: before, else after)."""
        key = canonical(name, normalised)
        first, second = (self.communes_2025, self.communes) if after_reform else (self.communes, self.communes_2025)
        found = first.get(key) or second.get(key)
        if found:
            return found
        folded = place_key(name)
        first, second = (self.commune_keys_2025, self.commune_keys) if after_reform else \
            (self.commune_keys, self.commune_keys_2025)
        return first.get(folded) or second.get(folded, [])


def _typed_keyword(key: str, keywords: list[str]) -> bool:
    """Whether a keyword of the dataset is another keyword with its type spelled before it
    ("huyenquevo", "thixacualo"); "quanguyen" (Quảng Uyên) only looks like one. Numbered quận
    ("quan2") are names."""
    return not re.fullmatch(r"quan\d+", key) and any(
        key.startswith(prefix) and key[len(prefix):] in keywords for prefix in _TYPE_PREFIXES)


def _add_once(index: dict[str, list[Unit]], key: str, unit: Unit) -> None:
    if unit not in index[key]:
        index[key].append(unit)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (read-only)."""
    return Gazetteer()


def unit_by_code(code: str, level: str) -> Unit | None:
    """The province or district (before the 2025 reform) with this GSO code.

    :param code: "38" for a province, "390" for a district
    :param level: "province" or "district"
    """
    g = gazetteer()
    if level == "province":
        return g.province_by_code.get(code)
    return _district_codes(g).get(code)


@lru_cache(maxsize=1)
def _district_codes(g: Gazetteer) -> dict[str, Unit]:
    return {unit.code: unit for units in g.districts.values() for unit in units if unit.level == "district"}
