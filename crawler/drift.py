"""Layout drift: a portal changed its pages and the selectors now read chrome instead of articles.

The signs, over the new or changed articles of one crawl (a sample) against what is stored for
the site: they share one title (a banner or a section header), none has a date though the stored
articles have, their bodies are empty or the same text. Then the pages are not stored, so that a
redesign never turns good articles into new versions holding the portal's chrome; the site is
reported "layout changed" with examples. Pure: the spider holds the pages and decides with this.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# A body shorter than this is empty for our purpose (a "Loading…" placeholder, a share bar).
EMPTY_BODY_CHARS = 80
# Stored articles must have dates this often before undated new ones are a sign.
DATED_SHARE = 0.8
EXAMPLES = 3


@dataclass(frozen=True)
class Page:
    """One parsed page of the sample.

    :param url: canonical URL
    :param title: parsed title
    :param published: parsed date, None when none was found
    :param body: parsed body text
    :param text_hash: hash of the text that would be stored (title and body), as `store.content_hash`
    """

    url: str
    title: str | None
    published: str | None
    body: str
    text_hash: str


@dataclass(frozen=True)
class History:
    """What is stored for the site, to compare the sample with.

    :param articles: stored articles
    :param dated: of which with a publication date
    :param titles: stored titles, casefolded, with how many articles carry each
    :param hashes: content hash -> URL of a stored article with that text
    """

    articles: int = 0
    dated: int = 0
    titles: Counter[str] = field(default_factory=Counter)
    hashes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, known: dict[str, dict]) -> History:
        """The history from `store.known_articles` (canonical URL -> state with title, published, content_hash).

        :param known: the site's stored articles
        """
        return cls(articles=len(known), dated=sum(bool(s.get("published")) for s in known.values()),
                   titles=Counter(_title_key(s.get("title")) for s in known.values() if s.get("title")),
                   hashes={s["content_hash"]: url for url, s in known.items() if s.get("content_hash")})


@dataclass(frozen=True)
class Drift:
    """Why the sample looks like a changed layout, with examples.

    :param signs: one sentence per sign
    :param examples: URLs of sample pages showing it
    """

    signs: tuple[str, ...]
    examples: tuple[str, ...]

    def message(self) -> str:
        """One line for the errors table and the report."""
        return "; ".join(self.signs) + " (e.g. " + ", ".join(self.examples) + ")"


def _title_key(title: str | None) -> str:
    return " ".join((title or "").split()).casefold()


def _shown_by_enough(pages: int, count: int) -> bool:
    return pages >= 2 and pages == count


def layout_drift(sample: list[Page], history: History) -> Drift | None:
    """The signs of a changed layout in a sample of new or changed pages, or None if it looks right.

    Each sign must show on every page of the sample, two pages at least: a redesign reaches every
    page, while two notices titled alike, one short notice or one article under two addresses are
    no redesign (and must not stop a site's crawl night after night). A title that stored articles
    already carry is a recurring one ("Lịch công tác tuần"), not a banner.

    :param sample: pages parsed in this crawl whose text is not stored yet
    :param history: what is stored for the site
    """
    signs: list[str] = []
    examples: list[str] = []
    count = len(sample)
    titles = Counter(_title_key(page.title) for page in sample if page.title)
    if titles:
        title, same = titles.most_common(1)[0]
        if _shown_by_enough(same, count) and history.titles.get(title, 0) == 0:
            shown = next(page.title for page in sample if _title_key(page.title) == title)
            signs.append(f"{same} of {count} new pages are titled {shown!r}")
            examples += [page.url for page in sample if _title_key(page.title) == title]
    if count >= 2 and not any(page.published for page in sample) and history.articles >= 3 \
            and history.dated >= DATED_SHARE * history.articles:
        signs.append(f"none of {count} new pages has a date ({history.dated} of {history.articles} stored do)")
        examples += [page.url for page in sample]
    empty = [page for page in sample if len(page.body) < EMPTY_BODY_CHARS]
    if _shown_by_enough(len(empty), count):
        signs.append(f"{len(empty)} of {count} new pages have an empty body")
        examples += [page.url for page in empty]
    bodies = Counter(page.body for page in sample)
    repeated = [page for page in sample if bodies[page.body] >= 2
                or history.hashes.get(page.text_hash, page.url) != page.url]
    if _shown_by_enough(len(repeated), count):
        other = history.hashes.get(repeated[0].text_hash)
        signs.append(f"{len(repeated)} of {count} new pages have the same text as another page"
                     + (f" ({other})" if other and other != repeated[0].url else ""))
        examples += [page.url for page in repeated]
    if not signs:
        return None
    return Drift(tuple(signs), tuple(dict.fromkeys(examples))[:EXAMPLES])
