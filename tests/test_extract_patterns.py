"""The fast forms of the extractor's patterns match exactly what their plain forms match.

Each fast form (a word list as a trie with its word-start test inside, a look-behind moved after the
first character, a finder that scans for type words and looks back for a plural, a growing claim
mask, …) is checked against the plain regular expression or data structure it replaces, on texts
made of the pieces that matter to it. Speed itself is measured by bench/bench_extract.py and
bench/bench_adversarial.py.
"""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from extract.document import _ABBREVIATIONS, Doc, Occupied
from extract.locations import _TYPED, _typed_matches
from extract.normalize import normalize
from extract.patterns import (LETTER, WORD, AnyOf, alternation, opening, required_literals, word_start_after_letter,
                              words)
from extract.programmes import _compiled

WORD_POOL = ["tập huấn", "tập", "tập trung", "huấn luyện", "huấn luyện viên", "a", "ab", "abc", "b", "x.y", "(a",
             "đào tạo", "đào", "lớp", "lớp học", "hai", "ba", "mươi", "mười"]
word_lists = st.lists(st.sampled_from(WORD_POOL), min_size=1, max_size=8)


def _texts(pieces: list[str]):
    return st.lists(st.sampled_from(pieces + [" ", "a", "1", "_", "\n", ".", "x", "đ"]), max_size=16).map("".join)


def _spans(pattern: str, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(pattern, text)]


def _longest_first(ws: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(ws), key=len, reverse=True))


@settings(max_examples=300, deadline=None)
@given(ws=word_lists, data=st.data(), boundary=st.sampled_from([LETTER, WORD]))
def test_a_word_list_matches_as_its_alternation_longest_first(ws, data, boundary):
    text = data.draw(_texts(ws + [w[:2] for w in ws]))
    plain = rf"(?<!{boundary})(?:{_longest_first(ws)})(?!{boundary})"
    assert _spans(words(ws, boundary), text) == _spans(plain, text)


@settings(max_examples=300, deadline=None)
@given(ws=word_lists, data=st.data(), after=st.sampled_from([r"\s+", "x", ""]),
       not_after=st.sampled_from([None, LETTER]))
def test_an_alternation_keeps_its_order_whatever_follows(ws, data, after, not_after):
    text = data.draw(_texts(ws + [w[:2] for w in ws]))
    plain = (rf"(?<!{not_after})" if not_after else "") + f"(?:{_longest_first(ws)}){after}"
    assert _spans(alternation(ws, not_after) + after, text) == _spans(plain, text)


@settings(max_examples=300, deadline=None)
@given(text=_texts(["12", "3", "0", "/", ",", ":", "-", " ", "31/12", "1-2"]))
def test_an_opening_moves_its_look_behinds_after_the_first_character(text):
    branches = [("1", r"\d"), ("2", r"\d"), ("3", "[01]"), ("0", "[1-9]")] + [(str(d), "") for d in range(1, 10)]
    not_after = [r"[\d.,/:]", r"\d-", r"\d "]
    plain = "".join(f"(?<!{x})" for x in not_after) + "(?:" + "|".join(c + rest for c, rest in branches) + r")/\d"
    assert _spans(opening(branches, not_after) + r"/\d", text) == _spans(plain, text)


@settings(max_examples=200, deadline=None)
@given(text=_texts(["ct135", "ct 135", "act135", "1ct135", "ct1350", "p135", "xct"]))
def test_a_leading_word_boundary_goes_after_its_letter(text):
    for source in (r"\bct ?135\b", r"\bp135\b", r"(?:a|b)\b"):
        assert _spans(word_start_after_letter(source), text) == _spans(source, text)


@settings(max_examples=200, deadline=None)
@given(text=_texts(["vốn", "nguồn vốn", "kinh phí", "xvốn", "dự án 1", "tda2", "(a", "a|b", "ab"]))
def test_a_leading_word_boundary_goes_after_the_letter_of_each_alternative(text):
    sources = (r"\b(?:nguồn vốn|vốn|kinh phí)(?: \w+)?", r"\b(dự án\s+\d+|tda\s?\d+)\b", r"\b(?:a[)|]|b)",
               r"\b(?:a?b|c)", r"\b(?:(a)|b)")
    for source in sources:
        assert _spans(word_start_after_letter(source), text) == _spans(source, text)
    assert not word_start_after_letter(sources[0]).startswith("\\b")  # (the transformation took place)


@settings(max_examples=200, deadline=None)
@given(text=_texts(["tập huấn", "được", "đã", "cho", "dự", "dự lớp", "về dự"]), data=st.data())
def test_any_of_answers_as_the_alternation_does(text, data):
    sources = [r"được\s+tập huấn", r"(?:về|tới) dự\b", r"\bdự(?=\s*(?:[.,;]|$))", r"tập huấn\s+(?:\S+\s+){0,2}?cho\b"]
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert AnyOf(*sources).search(text, start, end) == bool(re.compile("|".join(sources)).search(text, start, end))


@settings(max_examples=300, deadline=None)
@given(length=st.integers(0, 40), data=st.data())
def test_claims_are_remembered_like_a_set_of_positions(length, data):
    claims = Occupied(length)
    claimed: set[int] = set()
    for _ in range(data.draw(st.integers(0, 12))):
        start = data.draw(st.integers(0, length))
        end = data.draw(st.integers(0, length))
        if data.draw(st.booleans()):
            claims.add(start, end)
            claimed.update(range(start, end))
        else:
            assert claims.overlaps(start, end) == bool(claimed & set(range(start, end)))


TYPED_PIECES = ["các", "những", "1", "02", "123", "hai", "ba", "năm", "tỉnh", "thành phố", "tp.", "huyện", "h.", "xã",
                "thị xã", "tx", "phường", "q.", "p. 5", ":", " : ", "\n", "Hà", "3", "x", "Mường Lát", "  "]


@settings(max_examples=500, deadline=None)
@given(text=_texts(TYPED_PIECES))
def test_typed_places_are_found_from_their_type_words_as_the_plain_pattern_finds_them(text):
    found = [(m.span(), m.groups()) for m in _typed_matches(text)]
    assert found == [(m.span(), m.groups()) for m in _TYPED.finditer(text)]


WRAP_PIECES = ["a", "B", "1", "_", " ", "  ", "\n", "\n\n", ".", "ư", "Ư", "²"]


@settings(max_examples=500, deadline=None)
@given(text=_texts(WRAP_PIECES))
def test_soft_wraps_join_as_the_plain_pattern_joins_them(text):
    plain = re.sub(r"(?<=[^\W\d_])[ ]*\n(?=\w)",
                   lambda m: " " * len(m.group()) if text[m.end()].islower() else m.group(), text)
    assert normalize(text).text == plain


@settings(max_examples=500, deadline=None)
@given(text=_texts(["Hà", "TP. Hà Nội", "ThS. Lê", ". ", "! ", "? ", "… ", ".\n", "\n\n", "“Tập", "(1)", " 2", "a."]))
def test_sentences_split_as_the_plain_pattern_splits_them(text):
    doc = Doc(text)
    low, out, pos = doc.norm.text, [], 0
    for m in re.finditer(r"(?<=[.!?…])\s+(?=\S)|\n+", low):
        if "\n" not in m.group():
            nxt = low[m.end()]
            word = low[max(0, m.start() - 6):m.start()].split()
            if not (nxt.isupper() or nxt.isdigit() or nxt in "\"“(‘'") or \
                    (word and word[-1].rstrip(".").lower() in _ABBREVIATIONS):
                continue
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(low):
        out.append((pos, len(low)))
    assert doc.sentences == out


def test_required_literals_are_the_top_level_runs_of_literal_characters():
    assert required_literals(re.compile(r"ab(?:c|d)ef?g"), shortest=1) == ["ab", "e", "g"]
    assert required_literals(re.compile(r"chương trình (?:mtqg )?135\b")) == ["chương trình ", "135"]
    assert required_literals(re.compile(r"ab|cd", re.I), shortest=1) == []
    assert required_literals(re.compile(r"xyz", re.I)) == []  # (case folded: no literal test)


@settings(max_examples=300, deadline=None)
@given(text=_texts(["chương trình", "giảm nghèo", "bền vững", "135", "ct", "p135", "mtqg", "gnbv", "xây dựng", "nông thôn mới",
                    "ntm", "giai đoạn 2021-2025", "các", "02", "1719", "dân tộc thiểu số", "vùng đồng bào", "30a"]))
def test_every_match_of_a_programme_name_holds_its_required_literals(text):
    for _, pattern, required in _compiled()[0]:
        if pattern.search(text):
            assert all(literal in text for literal in required), (pattern.pattern, required)


DATE_PIECES = ["12", "3", "0", "31", "/", ".", ",", "-", " ", "  ", "tháng ", " tháng ", "năm ", "2023", "ngày ", "và ",
               "đến ", "tới ", "hết ", "thứ ", "t", ":"]


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.sampled_from(DATE_PIECES), max_size=14).map("".join))
def test_day_first_dates_are_found_from_the_day_starts_as_a_full_scan_finds_them(text):
    from extract.dates import (_DATE_START, _DAY_LIST, _DAY_LIST_LONG, _LONG, _SHORT, _TWO_DATES, _TWO_LONG_DATES,
                               _matches_from)
    starts = [m.start() for m in _DATE_START.finditer(text)]
    for pattern in (_TWO_DATES, _TWO_LONG_DATES, _DAY_LIST, _DAY_LIST_LONG, _LONG, _SHORT):
        assert [m.span() for m in _matches_from(pattern, text, starts)] == [m.span() for m in pattern.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["đã", "vừa", "chính thức", "đồng", "phối hợp", "tổ chức", "mở", "khai mạc", "x",
                                      " ", "  ", "\t", "lớp", "mởi"]), max_size=14).map("".join))
def test_organising_verbs_are_scanned_from_the_first_verb_words_lead_as_from_the_start(text):
    from extract.organizers import _VERB, _VERB_CORE, _verb_scan_start
    core = _VERB_CORE.search(text)
    if core:
        start = _verb_scan_start(text, core.start())
        assert [m.span() for m in _VERB.finditer(text, start)] == [m.span() for m in _VERB.finditer(text)]
    else:
        assert _VERB.search(text) is None


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["Vinh", "(", " ", "  ", "\n", "tại", "ĐH", "a(b", "x"]), max_size=12).map("".join),
       data=st.data())
def test_the_word_before_a_place_is_read_back_as_the_end_anchored_pattern_reads_it(text, data):
    from extract.locations import _word_before
    pos = data.draw(st.integers(0, len(text)))
    window_start = max(0, pos - 24)
    m = re.search(r"(\(|[^\s(]+)\s*$", text[window_start:pos])
    plain = "" if not m or "\n" in text[window_start + m.start():pos] else m.group(1)
    assert _word_before(text, pos) == plain


@settings(max_examples=300, deadline=None)
@given(ws=word_lists, data=st.data())
def test_a_gated_pattern_finds_what_the_pattern_finds(ws, data):
    from extract.patterns import Gated
    text = data.draw(_texts(ws + [w[:2] for w in ws]))
    pattern = re.compile(words(ws))
    gated = Gated(pattern, ws)
    pos = data.draw(st.integers(0, len(text)))
    found, plain = gated.search(text, pos), pattern.search(text, pos)
    assert (found and found.span()) == (plain and plain.span())
    assert [m.span() for m in gated.finditer(text, pos)] == [m.span() for m in pattern.finditer(text, pos)]


@settings(max_examples=300, deadline=None)
@given(ws=word_lists, data=st.data(), rest=st.sampled_from([r"\s+(x|đ)", r"(?![^\W\d_])", r"\s*\d"]))
def test_a_pattern_scanned_by_opening_letter_finds_the_first_match_of_the_whole(ws, data, rest):
    from extract.patterns import ByOpening
    text = data.draw(_texts(ws + [w[:2] for w in ws]))
    pos = data.draw(st.integers(0, len(text)))
    split = ByOpening(ws, "({words})" + rest)
    found, plain = split.search(text, pos), re.compile(f"({alternation(ws)}){rest}").search(text, pos)
    assert (found and (found.span(), found.groups())) == (plain and (plain.span(), plain.groups()))


RUN_WORDS = ["Thừa", "Thiên", "Huế", "Bắc", "Hà", "Nội", "Phú", "Hòa", "Ea", "H'leo", "Bà", "Rịa", "Vũng", "Tàu", "Sở",
             "Thanh", "Hóa", "Mường", "Lát", "Krông", "Pắc", "Chư", "Sê", "Cần", "Thơ", "Hồ", "Chí", "Minh", "Quận"]
RUN_NAMES = ["Thừa Thiên Huế", "Thừa Thiên - Huế", "Hà Nội", "Bà Rịa - Vũng Tàu", "Bắc Hà", "Ea H'leo", "Thanh Hóa",
             "Mường Lát", "Hồ Chí Minh", "Cần Thơ", "Phú Hòa", "Krông Pắc", "Chư Sê"]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.tuples(st.sampled_from(RUN_WORDS + RUN_NAMES), st.sampled_from([" ", " ", " - ", "-", ", ", " và "])),
                       max_size=8))
def test_bare_name_candidates_are_the_runs_spans_whose_keys_are_names(pieces):
    text = "".join(word + sep for word, sep in pieces)
    from extract.gazetteer import place_key
    from extract.locations import _CAP_RUN, _DASH, PlaceFinder, _word_ranges
    finder = PlaceFinder(Doc(text), None)
    g, norm = finder.g, finder.doc.norm.text
    runs: list = []  # the plain rule: runs joined across a dash when a name spans it, every span tried
    for m in _CAP_RUN.finditer(norm):
        run = _word_ranges(m.group(), m.start())
        if runs and run[0][0] - runs[-1][-1][1] <= 3 and _DASH.fullmatch(norm, runs[-1][-1][1], run[0][0]) \
                and any(place_key(norm[runs[-1][-a][0]:run[b - 1][1]]) in g.bare_keys
                        for a in range(1, min(3, len(runs[-1])) + 1) for b in range(1, min(3, len(run)) + 1)):
            runs[-1].extend(run)
        else:
            runs.append(run)
    plain = []
    for run in runs:
        spans = {i: [j for j in range(min(len(run), i + 5), i, -1) if place_key(norm[run[i][0]:run[j - 1][1]]) in g.bare_keys]
                 for i in range(len(run)) if place_key(norm[run[i][0]:run[i][1]]) in g.first_keys}
        spans = {i: ends for i, ends in spans.items() if ends}
        if spans:
            plain.append((run, spans))
    assert finder._bare_candidates() == plain


@settings(max_examples=200, deadline=None)
@given(ws=word_lists, data=st.data())
def test_a_searcher_over_rising_positions_finds_what_each_search_finds(ws, data):
    from extract.patterns import ByOpening, Gated
    text = data.draw(_texts(ws + [w[:2] for w in ws]))
    positions = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6)))
    split, gated = ByOpening(ws, "({words})(?![^\\W\\d_])"), Gated(re.compile(words(ws)), ws)
    plain = re.compile(f"({alternation(ws)})(?![^\\W\\d_])")
    by_letter, by_gate = split.searcher(text), gated.searcher(text)
    for pos in positions:
        found, expected = by_letter(pos), plain.search(text, pos)
        assert (found and found.span()) == (expected and expected.span())
        found, expected = by_gate(pos), gated.pattern.search(text, pos)
        assert (found and found.span()) == (expected and expected.span())
