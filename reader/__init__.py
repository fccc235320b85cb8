"""The page reader: HTML of an article page in, the article's parts out (pure, no network).

- ``article``: ``parse_article(html, url, selectors)`` -> title, published, byline, lead and
  body paragraphs, captions, attachments; family selectors where they fit, a generic reading
  where they do not.
- ``main_text``: the generic main text of any page (what ``extract`` uses when handed HTML).
- ``encoding``: bytes to text: declared and undeclared charsets, legacy Vietnamese fonts (TCVN3,
  VNI), double-encoded UTF-8.
- ``dates``: the date line of a page and dates in URLs.
"""
