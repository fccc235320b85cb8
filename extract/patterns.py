"""Building blocks of the extractor's regular expressions, shaped so that the regex engine can skip
through a text quickly.

CPython's engine scans fast only for a pattern that opens with a literal or with alternatives that
each open with a literal: it then jumps to the characters that can start a match. A pattern that
opens with a look-behind (`(?<!\\w)tập huấn|…`) is instead tried at every position of the text,
several times slower; and a list of fifty words written one after another is tried word by word
at every such position. So word lists are written as a trie (words that share a beginning share
it in the pattern: `tập (?:huấn|trung)`), and the word-start test is made where a word has
matched, as a look-behind over the word and the character before it (it tests the same position).
"""
from __future__ import annotations

import re
import sys
from typing import Iterable

LETTER = r"[^\W\d_]"  # a letter (a word character that is no digit and no "_")
WORD = r"\w"


def alternation(words: Iterable[str], not_after: str | None = None) -> str:
    """Regex source that matches any of `words` (no word boundaries), the longest one where
    several match: `(?:w1|w2|…)` with the words longest first, written as a trie.

    :param words: literal words or phrases (escaped here)
    :param not_after: a one-character regex (a class) that may not stand right before the word:
        tested where a word has matched (a look-behind over the word and the character before
        it), so that the test costs nothing where no word matches
    """
    return _trie(_build(words), not_after, 0)


def words(words: Iterable[str], boundary: str = LETTER) -> str:
    """Regex source of any of `words` as a whole word: not right after a `boundary` character,
    not followed by one; the longest one where several match. The same matches as
    `(?<!B)(?:w1|w2|…)(?!B)` with the words longest first.

    :param words: the words or phrases, as they are written in the lower-cased text
    :param boundary: the characters a word may not touch: letters (`LETTER`, the default), or
        letters, digits and "_" (`WORD`, what `\\b` tests)
    """
    return alternation(words, boundary) + f"(?!{boundary})"


def opening(branches: Iterable[tuple[str, str]], not_after: Iterable[str] = ()) -> str:
    """Regex source of alternatives that each open with one literal character and must not start
    right after some text: the same matches as `(?<!X1)(?<!X2)(?:c1rest1|c2rest2|…)`, with the
    look-behinds after each opening character, so that the engine skips to those characters.

    :param branches: (opening character, regex source of the rest), in the order they are tried
    :param not_after: regex sources of fixed width that must not end where a match starts
    """
    test = "".join(f"(?<!{x}[\\s\\S])" for x in not_after)
    # Branches that open alike are tried together (in their order), after one test of the opening.
    rests: dict[str, list[str]] = {}
    for c, rest in branches:
        rests.setdefault(c, []).append(rest)
    return "(?:" + "|".join(re.escape(c) + test + (f"(?:{'|'.join(r)})" if len(r) > 1 else r[0])
                            for c, r in rests.items()) + ")"


def word_start_after_letter(source: str) -> str:
    """`source` with a leading `\\b` before a letter moved after that letter (`\\bct ?135` ->
    `c(?<!\\w[\\s\\S])t ?135`), also before a group whose alternatives each open with a letter
    (`\\b(?:vốn|kinh phí)` -> `(?:v(?<!…)ốn|k(?<!…)inh phí)`): the same matches, and the pattern
    opens with literals (a pattern that opens with `\\b` is tried at every position of the text).

    :param source: a regex source, e.g. one written in a data file
    """
    m = re.match(r"\\b([^\W\d_])(?![?*+{])", source)  # (a letter a quantifier repeats stays where it is)
    if m:
        return m.group(1) + f"(?<!{WORD}[\\s\\S])" + source[m.end():]
    group = re.match(r"\\b(\((?:\?:)?)", source)
    parts = _alternatives(source, group.end()) if group else None
    if not parts or not all(re.match(r"[^\W\d_](?![?*+{])", alternative) for alternative in parts[0]):
        return source
    alternatives, close = parts
    return group.group(1) + "|".join(a[0] + f"(?<!{WORD}[\\s\\S])" + a[1:] for a in alternatives) + source[close:]


def _alternatives(source: str, start: int) -> tuple[list[str], int] | None:
    """The top-level alternatives of the group whose contents start at `start`, and the position of
    its closing parenthesis; None when the group cannot be read (an unbalanced source)."""
    parts, depth, i, begin = [], 0, start, start
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":  # a character class: its parentheses and bars are characters
            i += 2 if source[i + 1:i + 2] == "]" else 1
            while i < len(source) and source[i] != "]":
                i += 2 if source[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                parts.append(source[begin:i])
                return parts, i
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(source[begin:i])
            begin = i + 1
        i += 1
    return None


def required_literals(pattern: re.Pattern, shortest: int = 3) -> list[str]:
    """Strings every match of `pattern` holds: the runs of literal characters at the top level of
    the pattern (outside groups, alternatives and repetitions). A text without one of them holds
    no match, so that a substring test can spare the scan. Read with the standard library's regex
    parser; none when it cannot be read or the pattern ignores case.

    :param shortest: the length below which a run is not worth a test
    """
    try:
        from re import _parser
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # (a private module: without it there is simply no test)
        return []
    if pattern.flags & re.IGNORECASE:
        return []
    runs, run = [], []
    for op, value in [*parsed.data, (None, None)]:
        if op is _parser.LITERAL:
            run.append(chr(value))
        elif run:
            runs.append("".join(run))
            run = []
    return [r for r in runs if len(r) >= shortest]


def _build(words: Iterable[str]) -> dict:
    trie: dict = {}
    for word in words:
        if word:
            node = trie
            for ch in word:
                node = node.setdefault(ch, {})
            node[""] = {}
    return trie


def _trie(node: dict, not_after: str | None, depth: int) -> str:
    """A node's pattern: each continuation (one at most can match the text, they differ in their
    first character), tried before ending here, so that the longest word wins.

    :param not_after: what may not stand before the word, tested where a word ends
    :param depth: how many characters lead to this node
    """
    branches = [re.escape(ch) + _trie(child, not_after, depth + 1) for ch, child in sorted(node.items()) if ch]
    if "" in node:
        branches.append(f"(?<!{not_after}[\\s\\S]{{{depth}}})" if not_after else "")
    if len(branches) == 1 and depth:
        return branches[0]
    if branches[-1] == "" and len(branches) == 2 and depth:
        return f"(?:{branches[0]})?"
    return "(?:" + "|".join(branches) + ")"


class AnyOf:
    """Whether a text holds a match of any of several patterns: the answer a search for the
    alternation `A|B|…` gives, each alternative scanned on its own with its own fast opening
    (an alternation opens fast only when every alternative opens with a literal).

    :param sources: the alternatives, as regex sources
    """

    def __init__(self, *sources: str) -> None:
        self.patterns = [re.compile(s) for s in sources]

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> bool:
        """Whether one of the patterns matches in `text[pos:endpos]` (look-behinds see before `pos`,
        as `re.Pattern.search` does)."""
        return any(p.search(text, pos, endpos) for p in self.patterns)


class Gated:
    """A compiled pattern every match of which holds one of a few literal strings: a text (or the
    part of it searched) that holds none of them is not scanned. Worth it where the strings are
    few and rare and the pattern opens with common letters (tried at each of them).

    :param pattern: the compiled pattern
    :param literals: strings such that every match of `pattern` contains one of them
    """

    def __init__(self, pattern: re.Pattern, literals: Iterable[str]) -> None:
        self.pattern = pattern
        literals = list(dict.fromkeys(literals))
        # (a string that holds another of them is there only where that one is: not looked for)
        self.literals = tuple(s for s in literals if not any(o != s and o in s for o in literals))

    def _may_match(self, text: str, pos: int, endpos: int) -> bool:
        return any(text.find(literal, pos, endpos) != -1 for literal in self.literals)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        """`pattern.search`, answered None without a scan when no literal is in `text[pos:endpos]`."""
        return self.pattern.search(text, pos, endpos) if self._may_match(text, pos, endpos) else None

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        """`pattern.finditer`, empty without a scan when no literal is in `text[pos:endpos]`."""
        return self.pattern.finditer(text, pos, endpos) if self._may_match(text, pos, endpos) else iter(())

    def searcher(self, text: str, endpos: int = sys.maxsize):
        """`search` over `text` as a function of `pos`, the literals looked for once (a search per
        call would look for an absent one through the rest of the text every time)."""
        if not self._may_match(text, 0, endpos):
            return lambda pos: None
        return lambda pos: self.pattern.search(text, pos, endpos)


class ByOpening:
    """A pattern that opens with a list of words, `(?:w1|w2|…)` in `template`, scanned as one
    pattern per first letter of the words. A pattern that opens with one literal character is
    scanned for it in a fast loop; one that opens with a choice of characters tests each
    character of the text against them, several times slower. The same first match: at one
    position only the words of its letter can match.

    :param words: the words (literal, escaped here), as `alternation` takes them
    :param template: regex source with the placeholder `{words}` where the words stand first
    """

    def __init__(self, words: Iterable[str], template: str) -> None:
        by_letter: dict[str, list[str]] = {}
        for word in words:
            if word:
                by_letter.setdefault(word[0], []).append(word)
        self.patterns = [re.compile(template.replace("{words}", alternation(group))) for group in by_letter.values()]

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        """The leftmost match in `text[pos:endpos]`, as `re.Pattern.search` of the whole pattern."""
        return self.searcher(text, endpos)(pos)

    def searcher(self, text: str, endpos: int = sys.maxsize):
        """`search` over `text` as a function of `pos`, for calls whose `pos` never goes back: each
        letter's next match is kept while it lies ahead, so that the text is scanned once per
        letter in all (a search per call would rescan the rest of the text for every letter)."""
        ahead: list[re.Match | None] = [None] * len(self.patterns)
        scanned = [-1] * len(self.patterns)  # where each letter's match was searched from

        def search(pos: int) -> re.Match | None:
            found = None
            for k, pattern in enumerate(self.patterns):
                m = ahead[k]
                if scanned[k] < 0 or (m is not None and m.start() < pos):
                    m = ahead[k] = pattern.search(text, pos, endpos)
                    scanned[k] = pos
                if m is not None and (found is None or m.start() < found.start()):
                    found = m
            return found

        return search
