"""Building blocks of the extractor's regular expressions, shaped so that the regex engine can skip
through a text quickly.

CPython's engine scans fast only for a pattern that opens with a literal or with alternatives that
each open with a literal: it then jumps to the characters that can start a match. A pattern that
opens with a look-behind (`(?<!\\w)tập huấn|…`) is instead tried at every position of the text,
several times slower; and a list of fifty words written one after another is tried word by word
at every such position. So word lists are written as a trie (words that share a beginning share
it in the pattern: `tập (?:huấn|trung)`), and the word-start test goes after the first character,
where it tests the same position.
"""
from __future__ import annotations

import re
from typing import Iterable

# Not after a letter: the test of a word start, written as a look-behind over the character before
# the word's first character and that character itself (so that it can follow the first character).
_NOT_AFTER_LETTER = r"(?<![^\W\d_][\s\S])"
_NOT_BEFORE_LETTER = r"(?![^\W\d_])"


def alternation(words: Iterable[str]) -> str:
    """Regex source that matches any of `words` (no word boundaries), the longest one where
    several match: `(?:w1|w2|…)` with the words longest first, written as a trie.

    :param words: literal words or phrases (escaped here)
    """
    return _trie(_build(words), top=False)


def words(words: Iterable[str]) -> str:
    """Regex source of any of `words` as a whole word: not right after a letter, not followed by
    one; the longest one where several match. The same matches as
    `(?<![^\\W\\d_])(?:w1|w2|…)(?![^\\W\\d_])` with the words longest first.

    :param words: the words or phrases, as they are written in the lower-cased text
    """
    return _trie(_build(words), top=True) + _NOT_BEFORE_LETTER


def _build(words: Iterable[str]) -> dict:
    trie: dict = {}
    for word in words:
        if word:
            node = trie
            for ch in word:
                node = node.setdefault(ch, {})
            node[""] = {}
    return trie


def _trie(node: dict, top: bool) -> str:
    """A node's pattern: each continuation (one at most can match the text, they differ in their
    first character), tried before ending here, so that the longest word wins."""
    branches = [re.escape(ch) + (_NOT_AFTER_LETTER if top else "") + _trie(child, False)
                for ch, child in sorted(node.items()) if ch]
    ends = "" in node
    if not branches:
        return ""
    if len(branches) == 1 and not ends and not top:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if ends else "")
