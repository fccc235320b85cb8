"""The page reader: HTML of an article page in, the article's parts out (pure, no network).

`reader.article.read_page` is the one entry point, used by the crawler and by `extract` when it is
handed HTML. Its steps, one module each:

- ``encoding``: bytes to text: declared and undeclared charsets, Windows-1258 under a UTF-8
  declaration, legacy Vietnamese fonts (TCVN3, VNI), double-encoded UTF-8;
- ``dom``: parse, drop scripts and styles, repair every text node before anything reads it, lines;
- ``container``: where the text sits (family selectors, else text density) and the lead;
- ``title``: the headline by agreement of its candidates, never site chrome (``chrome`` learns
  what recurs across a site's pages);
- ``published`` and ``dates``: the date line nearest the headline, meta tags, dates in URLs;
- ``captions``: photo captions recognised by structure and kept apart;
- ``byline``: bylines, sources ("Nguồn: …") and posting accounts;
- ``vocabulary``: the words and patterns of `data/reader.yml`.
"""
