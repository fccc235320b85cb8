"""The document: one article's text with its normalised view, lines, sentences and title.

Every component reads the document and reports matches as ranges of the normalised text; the
document turns them into spans of the original text (`mention`).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

from .normalize import NormText, ascii_key, normalize

# Abbreviations that end with a dot but do not end a sentence.
_ABBREVIATIONS = {"tp", "ts", "ths", "pgs", "gs", "bs", "ks", "cn", "tx", "ông", "bà", "q", "h", "x", "p", "tt",
                  "v.v", "th.s", "đ/c", "đc"}
# A sentence ends with the white space after . ! ? … (group 1) or at line breaks. The pattern opens
# with a character class of those rare characters, so the regex engine skips straight to them.
_BOUNDARY = re.compile(r"[.!?…\n](?:(?<=[.!?…])(\s+)(?=\S)|(?<=\n)\n*)")
_DATE_LINE = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*(?:19|20)\d{2}|ngày \d{1,2} tháng \d{1,2} năm \d{4}"
                        r"|\d{1,2}:\d{1,2}", re.I)
# Portal chrome that can stand where a headline is expected.
_CHROME = re.compile(r"^(chuyên mục|xuất bản thông tin|chi tiết bài viết.*|tin tức|\{.*\}|trang chủ.*"
                     r"|tin tức - sự kiện|tin hoạt động|thời sự|null)$", re.I)


@dataclass
class Doc:
    """One article prepared for extraction.

    :param text: the text spans point into
    :param url: the article's address, if known
    :param published: publication date given with the input, if any
    """

    text: str
    url: str | None = None
    published: date | None = None
    norm: NormText = field(init=False)
    lines: list[tuple[int, int]] = field(init=False)
    sentences: list[tuple[int, int]] = field(init=False)
    title: tuple[int, int] | None = field(init=False)
    _upper_lines: dict = field(init=False, default_factory=dict, repr=False)
    _line_starts: list[int] = field(init=False, repr=False)
    _sentence_starts: list[int] = field(init=False, repr=False)
    _sentence_hits: dict = field(init=False, default_factory=dict, repr=False)
    warnings: dict[str, int] = field(init=False, default_factory=dict)  # what a cap left out, counted
    _leads: dict = field(init=False, default_factory=dict, repr=False)
    _lead_scan: tuple | None = field(init=False, default=None, repr=False)  # (found, seen, next sentence)
    _head_lines: dict = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.norm = normalize(self.text)
        self.lines = _lines(self.norm.text)
        self.sentences = _sentences(self.norm.text)
        self._line_starts = [a for a, _ in self.lines]
        self._sentence_starts = [a for a, _ in self.sentences]
        self.title = self._find_title()

    def mention(self, start: int, end: int) -> dict:
        """`span` and `quote` of a normalised range, as every extracted value carries them."""
        a, b = self.norm.span(start, end)
        return {"span": [a, b], "quote": self.text[a:b]}

    def sentence_index(self, pos: int) -> int:
        """Index of the sentence containing normalised position `pos` (len(sentences) if none)."""
        i = bisect_right(self._sentence_starts, pos) - 1
        return i if i >= 0 and pos < self.sentences[i][1] else len(self.sentences)

    def sentence_at(self, pos: int) -> tuple[int, int]:
        """The sentence containing normalised position `pos`."""
        i = self.sentence_index(pos)
        return self.sentences[i] if i < len(self.sentences) else (0, len(self.norm.text))

    def warn(self, what: str, count: int = 1) -> None:
        """Record that `count` items were left out (a cap on pathological input was reached).

        :param what: what was left out, e.g. "dates beyond the first 2000 not read"
        """
        self.warnings[what] = self.warnings.get(what, 0) + count

    def sentence_has(self, pattern: re.Pattern, pos: int) -> bool:
        """Whether the sentence containing normalised position `pos` matches `pattern` (lower-cased
        text), remembered per sentence: asking for every mention of a long sentence costs one search.

        :param pattern: a compiled pattern (or `patterns.AnyOf`) over the lower-cased normalised text
        :param pos: a normalised position
        """
        i = self.sentence_index(pos)
        key = (pattern, i)
        hit = self._sentence_hits.get(key)
        if hit is None:
            start, end = self.sentences[i] if i < len(self.sentences) else (0, len(self.norm.text))
            hit = self._sentence_hits[key] = bool(pattern.search(self.norm.lower, start, end))
        return hit

    def text_has(self, pattern: re.Pattern, cased: bool = False) -> bool:
        """Whether the lower-cased text matches `pattern` anywhere, remembered: asking once per
        sentence costs one search, not one per sentence.

        :param pattern: a compiled pattern (or `patterns.AnyOf`) over the lower-cased normalised text
        :param cased: search the normalised text as written instead
        """
        key = (pattern, cased)
        hit = self._sentence_hits.get(key)
        if hit is None:
            hit = self._sentence_hits[key] = bool(pattern.search(self.norm.text if cased else self.norm.lower))
        return hit

    def line_at(self, pos: int) -> tuple[int, int]:
        i = bisect_right(self._line_starts, pos) - 1
        if i >= 0 and pos <= self.lines[i][1]:
            return self.lines[i]
        return (0, len(self.norm.text))

    def is_upper_line(self, pos: int) -> bool:
        """Whether the line at `pos` is written in capitals (headlines often are)."""
        line = self.line_at(pos)
        if line not in self._upper_lines:
            seg = self.norm.text[line[0]:line[1]]
            self._upper_lines[line] = seg.upper() == seg and sum(c.isalpha() for c in seg[:60]) >= 8
        return self._upper_lines[line]

    @property
    def title_text(self) -> str:
        return self.norm.text[self.title[0]:self.title[1]] if self.title else ""

    def lead(self, n: int = 3) -> list[tuple[int, int]]:
        """The first `n` sentences of prose after the headline (at least eight words; date lines,
        captions, menus and a repeated headline left out): what the article reports first.

        :param n: how many sentences
        """
        if n in self._leads:
            return self._leads[n]
        if self._lead_scan is None:
            seen = {self.norm.lower[slice(*self.title)].strip(" .")} if self.title else set()
            after = self.title[1] if self.title else 0
            self._lead_scan = ([], seen, bisect_right(self._sentence_starts, after) - 1 if after else 0)
        # One scan for every `n`: a longer lead goes on from where a shorter one stopped.
        found, seen, i = self._lead_scan
        after = self.title[1] if self.title else 0
        while len(found) < n and i < len(self.sentences):
            start, end = self.sentences[i]
            i += 1
            if end <= after:
                continue
            start = max(start, after)
            sentence = self.norm.lower[start:end].strip(" .")
            if has_words(sentence, PROSE_WORDS) and sentence not in seen:
                seen.add(sentence)
                found.append((start, end))
        self._lead_scan = (found, seen, i)
        out = self._leads[n] = found[:n]
        return out

    def head_lines(self, n: int = 8) -> list[tuple[int, int]]:
        """The first `n` non-empty lines."""
        out = self._head_lines.get(n)
        if out is None:
            text, out = self.norm.text, []
            for start, end in self.lines:
                if len(out) == n:
                    break
                if not text[start:end].isspace():
                    out.append((start, end))
            self._head_lines[n] = out
        return out

    def _find_title(self) -> tuple[int, int] | None:
        slugged = self._line_named_by_url()
        if slugged:
            return slugged
        head = [r for r in self.head_lines(6) if not _is_foreign_chrome(self.norm.text[r[0]:r[1]])]
        for i, (start, end) in enumerate(head):
            line = self.norm.text[start:end].strip()
            if i > 0 and len(line) <= 80 and _DATE_LINE.search(line):
                prev_start, prev_end = head[i - 1]
                if has_words(self.norm.text[prev_start:prev_end], 4):
                    return _strip(self.norm.text, prev_start, prev_end)
                break
        for start, end in head[:5]:
            line = self.norm.text[start:end].strip()
            if has_words(line, 4) and not _CHROME.match(line) and not _DATE_LINE.search(line[:25]):
                # A first line that is a long paragraph is body text, not a headline.
                return _strip(self.norm.text, start, end) if len(line) <= 200 else None
        return None


    def _line_named_by_url(self) -> tuple[int, int] | None:
        """A head line whose words the address spells ("…/huan-luyen-nghiep-vu-phong-chay-…-2020"):
        portals put the headline in the URL, so it finds the headline behind menus and banners."""
        slug = _slug_words(self.url)
        if len(slug) < _SLUG_MIN_WORDS:
            return None
        # The slug spells the headline from its start; the line may open with an outlet tag ("(TTV)").
        opening = " " + " ".join(slug[:_SLUG_MIN_WORDS]) + " "
        for start, end in self.head_lines(_SLUG_HEAD_LINES):
            if end - start > _SLUG_LINE_CHARS:
                continue
            words = _first_keys(self.norm.text[start:end], 2 * _SLUG_MIN_WORDS)
            if len(words) >= _SLUG_MIN_WORDS and opening in " " + " ".join(words) + " ":
                return _strip(self.norm.text, start, end)
        return None


_SLUG_MIN_WORDS = 4
PROSE_WORDS = 8  # a sentence of prose has at least this many words (the lead, a body the training fills)
_SLUG_HEAD_LINES = 12
_SLUG_LINE_CHARS = 250  # a longer line is a paragraph, not a headline


def has_words(text: str, n: int) -> bool:
    """Whether `text` holds at least `n` words (separated by white space); only the first `n` are
    split off, not every word of a long sentence."""
    return len(text.split(None, n - 1)) >= n


def _first_keys(line: str, n: int) -> list[str]:
    """The ASCII keys of the first `n` words of `line` that have one."""
    out = []
    for word in line.split():
        key = ascii_key(word)
        if key:
            out.append(key)
            if len(out) == n:
                break
    return out


_SCHEME_AND_HOST = re.compile(r"^[a-z]+://[^/]*")
_PAGE_SUFFIX = re.compile(r"\.(?:html?|aspx?|php)$")
_SLUG_WORD = re.compile(r"[a-z]+|\d{4}")


def _slug_words(url: str | None) -> list[str]:
    """The words of the longest hyphenated segment of a URL's path ("tap-huan-nghiep-vu-123.html")."""
    if not url:
        return []
    path = _SCHEME_AND_HOST.sub("", url.lower()).split("?")[0]
    best: list[str] = []
    for segment in path.split("/"):
        if segment.count("-") >= _SLUG_MIN_WORDS - 1:
            words = _SLUG_WORD.findall(_PAGE_SUFFIX.sub("", segment))
            if len(words) > len(best):
                best = words
    return best


def _is_foreign_chrome(line: str) -> bool:
    """A line of portal chrome in English or without a single Vietnamese letter ("Skip to main
    content", "Facebook Zalo youtube Tiktok"): Vietnamese headlines always carry diacritics."""
    return line.isascii()


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _lines(text: str) -> list[tuple[int, int]]:
    """The non-empty lines of `text`, as ranges without their line breaks."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line:
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _sentences(text: str) -> list[tuple[int, int]]:
    """Split at line breaks and at . ! ? … followed by a capital, a digit or a quote, except
    after an abbreviation ("TP. Hà Nội", "ThS. Lê")."""
    out, pos = [], 0
    for m in _BOUNDARY.finditer(text):
        start, end = m.span(1) if m.start(1) != -1 else m.span()
        if "\n" not in text[start:end]:
            nxt = text[end]
            if not (nxt.isupper() or nxt.isdigit() or nxt in "\"“(‘'"):
                continue
            word = text[max(0, start - 6):start].split()
            if word and word[-1].rstrip(".").lower() in _ABBREVIATIONS:
                continue
        if start > pos:
            out.append((pos, start))
        pos = end
    if pos < len(text):
        out.append((pos, len(text)))
    return out


class Occupied:
    """Which characters of a text are already claimed by a match (overlap tests in O(length)).

    The mask covers only the stretch between the first and the last claim (it grows as claims come),
    so that claims over one sentence of a long text cost that sentence, not the whole text.

    :param length: the length of the text (claims lie within it)
    """

    __slots__ = ("_start", "_mask")

    def __init__(self, length: int) -> None:
        self._start = 0  # text position of the mask's first byte
        self._mask = bytearray()

    def add(self, start: int, end: int) -> None:
        if start >= end:
            return
        mask, offset = self._mask, self._start
        if not mask:
            self._start = offset = start
        elif start < offset:  # grow to the left at least by the mask's size (amortised)
            grown = max(0, min(start, offset - len(mask)))
            mask[0:0] = bytes(offset - grown)
            self._start = offset = grown
        if end - offset > len(mask):
            mask.extend(bytes(end - offset - len(mask)))
        mask[start - offset:end - offset] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        offset = self._start
        if start < offset:
            start = offset
        return start < end and 1 in self._mask[start - offset:end - offset]
