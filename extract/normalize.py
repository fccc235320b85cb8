"""Text normalisation that keeps offsets into the original text.

Matching runs on a normalised copy (NFC, one tone-mark placement style, Đ for the look-alike Ð,
ASCII hyphens and spaces, no zero-width characters); every match is mapped back to the original
text so that `original[start:end]` is exactly what the article says.
"""
from __future__ import annotations

import re
from bisect import bisect_left
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                                 "\u200a\u202f\u205f\u3000\t\u000b\u000c"), " ")
_DROPPED = set("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_LOOKALIKES = {"\u00d0": "\u0110", "\u00f0": "\u0111"}  # Icelandic Eth -> Vietnamese Đ/đ

_FAST_TABLE = {**_DASHES, **_SPACES, **{ord(k): v for k, v in _LOOKALIKES.items()}}
# str.translate looks every character up in a dict; most texts hold none of these characters, and
# a character class finds the few that do far faster.
_FAST_CHARS = re.compile("[" + re.escape("".join(map(chr, _FAST_TABLE))) + "]")
_FAST_REPLACEMENT = {chr(k): v for k, v in _FAST_TABLE.items()}
_DROPPED_CHARS = re.compile("[" + "".join(sorted(_DROPPED)) + "]")
_SPECIAL_CHARS = re.compile("[" + re.escape("".join(sorted(_DROPPED)) + "".join(map(chr, _FAST_TABLE))) + "]")  # either
_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng


def _tone_pairs() -> dict[str, str]:
    """New-style placement ("hoà", "thuỷ") -> traditional ("hòa", "thủy") for oa, oe, uy."""
    pairs = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for f, s in ((first, second), (first.upper(), second), (first.upper(), second.upper()),
                     (first, second.upper())):
            for tone in _TONES:
                new = f + unicodedata.normalize("NFC", s + tone)
                old = unicodedata.normalize("NFC", f + tone) + s
                pairs[new] = old
    return pairs


_NEW_TO_OLD = _tone_pairs()
# Only at the end of a syllable (no final consonant) and not after "q" ("quý" keeps its mark on y).
# The pattern opens with a character class (the regex engine skips to those characters); the
# look-behind after it checks the character before the "o"/"u".
_NEW_STYLE = re.compile(r"([oOuU](?<![qQ].)[" + "".join(sorted({k[1] for k in _NEW_TO_OLD})) + r"])(?![^\W\d_])")
_LETTER = re.compile(r"[^\W\d_]")
_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class NormText:
    """A normalised view of a text with an offset map back to the original.

    :param original: the text as given
    :param text: normalised text used for matching
    :param lower: `text` lower-cased, same length
    """

    original: str
    text: str
    lower: str
    _to_original: Sequence[int] = field(repr=False)  # a range when nothing moved

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) range of the normalised text to the original text."""
        return self._to_original[start], self._to_original[end]

    def to_normalised(self, original_pos: int) -> int:
        """The normalised position of an original offset (the first one that maps at or after it)."""
        return bisect_left(self._to_original, original_pos)

    def quote(self, start: int, end: int) -> str:
        """The original text behind a normalised range."""
        a, b = self.span(start, end)
        return self.original[a:b]


def _lower_same_length(s: str) -> str:
    low = s.lower()
    if len(low) == len(s):
        return low
    out = []
    for ch in s:
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)


def normalize(original: str) -> NormText:
    """Build the normalised view of `original`.

    :param original: article text (any Unicode normalisation form)
    """
    n = len(original)
    special = _SPECIAL_CHARS.search(original)  # (one scan: most texts hold none of them)
    if unicodedata.is_normalized("NFC", original) and not (special and _DROPPED_CHARS.search(original, special.start())):
        # Fast path (most text): one character per character, offsets unchanged.
        text = _FAST_CHARS.sub(lambda m: _FAST_REPLACEMENT[m.group()], original) if special else original
        return _finish(original, text, range(n + 1))
    chars = []
    to_original = []
    i = 0
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(original[j]):
            j += 1
        cluster = original[i:j]
        if cluster in _DROPPED:
            i = j
            continue
        composed = unicodedata.normalize("NFC", cluster)
        for ch in composed:
            ch = _LOOKALIKES.get(ch, ch)
            chars.append(ch.translate(_DASHES).translate(_SPACES))
            to_original.append(i)
        i = j
    to_original.append(n)
    return _finish(original, "".join(chars), tuple(to_original))


def _finish(original: str, text: str, to_original) -> NormText:
    if _NEW_STYLE.search(text):  # (few texts hold one: a search is cheaper than a sub that replaces nothing)
        text = _NEW_STYLE.sub(lambda m: _NEW_TO_OLD.get(m.group(1), m.group(1)), text)
    text = _join_soft_wraps(text)
    return NormText(original, text, _lower_same_length(text), to_original)


def _join_soft_wraps(text: str) -> str:
    """Hard-wrapped paragraphs: a line break (and the spaces before it) between a letter and a
    lower-case word continues the sentence, and becomes spaces (same length).

    Only the line breaks are visited (few), not every position of the text."""
    parts, done = [], 0
    k = text.find("\n")
    while k != -1:
        start = k
        while start > done and text[start - 1] == " ":
            start -= 1
        if start > 0 and k + 1 < len(text) and text[k + 1].islower() and _WORD_CHAR.match(text, k + 1) \
                and _LETTER.match(text, start - 1):
            parts.append(text[done:start])
            parts.append(" " * (k + 1 - start))
            done = k + 1
        k = text.find("\n", k + 1)
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


@lru_cache(maxsize=65536)
def canonical(s: str, normalised: bool = False) -> str:
    """Normalise a short string for dictionary keys: NFC, traditional tone placement, lower case,
    single spaces, hyphens without spaces around them.

    :param normalised: `s` is already a slice of a normalised text (skips re-normalising)
    """
    t = s.lower() if normalised else normalize(s).lower
    t = re.sub(r"\s*-\s*", "-", t)
    return re.sub(r"\s+", " ", t).strip()


@lru_cache(maxsize=65536)
def ascii_key(s: str) -> str:
    """Fold to ASCII letters and digits only (no spaces): the key style of vietnamadminunits."""
    t = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D").replace("\u0110", "D"))
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]", "", t)
