"""Organisers: bodies, co-organisers, and places that are not bodies."""
from __future__ import annotations

import pytest

from extract.document import Doc
from extract.organizers import find_organizers, organizer_record


def organisers(text: str) -> list[tuple[str, str]]:
    doc = Doc(text)
    return [(organizer_record(doc, o)["name"], o.role) for o in find_organizers(doc)]


BODIES = ["Ban Dân tộc", "Sở Y tế", "Hội Nông dân", "Trung tâm Khuyến nông", "Hội LHPN", "UBND"]
PLACES = ["tỉnh Nghệ An", "huyện Mường Lát", "thành phố Vinh", "thị xã Bỉm Sơn", "xã Tam Chung"]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("place", PLACES)
def test_a_place_after_a_body_says_where_the_body_is(body, place):
    for verb in ("tổ chức lớp tập huấn", "phối hợp tổ chức lớp bồi dưỡng", "đã tổ chức khóa học"):
        got = organisers(f"Sáng 5/3, {body}, {place} {verb} cho 50 học viên.")
        assert got == [(f"{body}, {place}", "organizer")], got


@pytest.mark.parametrize("place", PLACES)
def test_a_place_alone_is_never_an_organiser(place):
    text = place[0].upper() + place[1:]
    assert organisers(f"{text} tổ chức lớp tập huấn cho 50 học viên.") == []
    got = organisers(f"Sở Nội vụ phối hợp với {place} tổ chức lớp bồi dưỡng cho cán bộ.")
    assert got == [("Sở Nội vụ", "organizer")], got


def test_co_organisers_keep_their_place_and_are_split_from_each_other():
    got = organisers("Ban Dân tộc tỉnh Thanh Hóa phối hợp với UBND huyện Mường Lát, tỉnh Thanh Hóa và Hội Nông dân "
                     "huyện tổ chức lớp tập huấn.")
    assert got == [("Ban Dân tộc tỉnh Thanh Hóa", "organizer"), ("UBND huyện Mường Lát, tỉnh Thanh Hóa", "co-organizer"),
                   ("Hội Nông dân huyện", "co-organizer")]


@pytest.mark.parametrize("body", ["Huyện ủy Mường Lát", "Tỉnh đoàn Thanh Hóa", "Thành ủy Vinh", "Thị đoàn Bỉm Sơn",
                                  "UBND thành phố Vinh"])
def test_party_and_youth_committees_named_after_a_place_are_bodies(body):
    assert organisers(f"{body} tổ chức lớp bồi dưỡng cho cán bộ.") == [(body, "organizer")]
