"""An article's text as HTML paragraphs with its extracted values marked (pure, no I/O).

Every value the extractor read carries the span of the text it came from. `marked_paragraphs`
wraps each span in an element that names the field and the normalised value (title attribute),
so a reader sees at a glance what was read where. All text is escaped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Mark:
    """One extracted value's place in the text.

    :param start: start offset in the text (0-based)
    :param end: end offset (exclusive)
    :param field: what was read: event, date, participants, organiser, document, programme, place
    :param title: the normalised value, shown on hover
    :param anchor: id given to the first element of the mark (for links to it), if any
    :param state: what a researcher made of the value: "corrected" or "rejected" (a class of its own)
    """

    start: int
    end: int
    field: str
    title: str
    anchor: str | None = None
    state: str | None = None


def placeable(text: str, start: int | None, end: int | None, quote: str | None) -> bool:
    """Whether a stored span can be shown: inside the text and, when a quote was stored, equal to it.

    :param text: the article body the span points into
    :param start: span start
    :param end: span end
    :param quote: the stored quote of the span, if any
    """
    if start is None or end is None or not 0 <= start < end <= len(text):
        return False
    return quote is None or text[start:end] == quote


def _open_tag(mark: Mark, anchored: set[str]) -> str:
    anchor = ""
    if mark.anchor and mark.anchor not in anchored:
        anchored.add(mark.anchor)
        anchor = f' id="{escape(mark.anchor)}"'
    tag = "span" if mark.field == "event" else "mark"
    state = f" v-{escape(mark.state)}" if mark.state else ""
    return (f'<{tag}{anchor} class="v v-{escape(mark.field)}{state}" data-field="{escape(mark.field)}" '
            f'title="{escape(mark.title)}">')


def _close_tag(mark: Mark) -> str:
    return "</span>" if mark.field == "event" else "</mark>"


def _paragraph(text: str, start: int, end: int, marks: list[Mark], anchored: set[str]) -> Markup:
    """One line of the text with the marks that overlap it, nested properly.

    Where marks overlap without nesting, the inner one is closed and reopened around the
    boundary, so every tag is well formed.
    """
    inside = [m for m in marks if m.start < end and m.end > start]
    points = sorted({start, end, *(max(start, m.start) for m in inside), *(min(end, m.end) for m in inside)})
    parts: list[str] = []
    stack: list[Mark] = []
    for left, right in zip(points, points[1:]):
        active = sorted((m for m in inside if m.start <= left and m.end >= right),
                        key=lambda m: (m.start, -m.end, m.field != "event"))
        keep = 0
        while keep < len(stack) and keep < len(active) and stack[keep] is active[keep]:
            keep += 1
        parts += [_close_tag(m) for m in reversed(stack[keep:])]
        parts += [_open_tag(m, anchored) for m in active[keep:]]
        stack = active
        parts.append(str(escape(text[left:right])))
    parts += [_close_tag(m) for m in reversed(stack)]
    return Markup("".join(parts))


def marked_paragraphs(text: str, marks: list[Mark]) -> list[Markup]:
    """The text's lines as escaped HTML, each extracted value wrapped in its mark.

    :param text: the article body (lines separated by newlines; empty lines dropped)
    :param marks: spans into `text`; each must satisfy `placeable`
    :return: one Markup per non-empty line, to put in <p> elements
    """
    ordered = sorted(marks, key=lambda m: (m.start, -m.end))
    anchored: set[str] = set()
    return [_paragraph(text, line.start(), line.end(), ordered, anchored)
            for line in _LINE.finditer(text) if line.group().strip()]
