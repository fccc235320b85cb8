"""Site chrome learnt across a site's pages: a headline candidate that recurs on several article
pages of one site (a banner, a portlet's section header) is never an article's title."""
from __future__ import annotations

from collections import Counter


class SiteChrome:
    """Headline candidates seen so far on one site's article pages.

    :param pages_needed: on how many different pages a text must appear to count as chrome
    """

    def __init__(self, pages_needed: int = 2) -> None:
        self.pages_needed = pages_needed
        self._seen: Counter[str] = Counter()

    def observe(self, candidate_keys: list[str]) -> None:
        """Count the candidates of one more page (`Article.chrome_candidates`)."""
        self._seen.update(set(candidate_keys))

    def keys(self) -> frozenset[str]:
        """Title keys known to be chrome, for `read_page(site_chrome=…)`."""
        return frozenset(key for key, pages in self._seen.items() if pages >= self.pages_needed)
