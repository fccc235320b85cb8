"""Headless Chromium loads the analyst pages: measured in the rendered page, checked on screenshots.

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: fd 3 in,
fd 4 out, messages separated by NUL), so no port and no extra package are needed.
"""
from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any, Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1400, 900

if not CHROMIUM.exists() and os.environ.get("CI") != "true":
    pytest.skip("/usr/bin/chromium is not installed (scripts/system-deps.sh)", allow_module_level=True)


class Browser:
    """One headless Chromium with one page, driven over the DevTools protocol."""

    def __init__(self, profile: Path) -> None:
        to_chromium_read, self._to_chromium = os.pipe()
        self._from_chromium, from_chromium_write = os.pipe()

        def wire_pipes() -> None:  # in the child: the protocol's fixed descriptors 3 and 4
            read_end, write_end = os.dup(to_chromium_read), os.dup(from_chromium_write)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.process = subprocess.Popen(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", "--remote-debugging-pipe", f"--user-data-dir={profile}",
             f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            close_fds=False, preexec_fn=wire_pipes, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chromium_read)
        os.close(from_chromium_write)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=WIDTH, height=HEIGHT,
                  deviceScaleFactor=1, mobile=False)

    def _message(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chromium, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: bool = False, **params: Any) -> dict:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_chromium, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._message()
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]
            self._events.append(answer)

    def open(self, url: str) -> None:
        """Load a page and wait for its load event."""
        self._events.clear()
        self.call("Page.navigate", session=True, url=url)
        while not any(event.get("method") == "Page.loadEventFired" for event in self._events):
            self._events.append(self._message())

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """A PNG of the first screen (WIDTH x HEIGHT)."""
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._to_chromium)
        os.close(self._from_chromium)


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered RGB(A) rows of an 8-bit, non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour in (2, 6), header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def assert_not_blank(path: Path) -> None:
    """The screenshot has the page's size and shows something: many colours, ink on most of it."""
    width, height, rows = png_pixels(path)
    assert (width, height) == (WIDTH, HEIGHT)
    channels = len(rows[0]) // width
    colours, inked_bands = set(), 0
    for band in range(0, height, 50):  # is there dark ink (text, bars, lines) in each 50-px band?
        pixels = [row[x:x + 3] for row in rows[band:band + 50:5] for x in range(0, len(row), channels * 3)]
        colours.update(pixels)
        inked_bands += any(max(pixel) < 160 for pixel in pixels)
    assert len(colours) > 20, f"{path}: {len(colours)} colours, the screen is nearly blank"
    assert inked_bands >= 0.6 * (height // 50), f"{path}: ink in only {inked_bands} of {height // 50} bands"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    instance = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield instance
    instance.close()


FIRST_ROW_TOP = "document.querySelector('{table} tbody tr').getBoundingClientRect().top"


@pytest.mark.parametrize("path, table", [("/", "table.latest-activities"),
                                         ("/training", "table.latest-activities"),
                                         ("/training/activities", "table.rows-and-columns"),
                                         ("/training/events", "table.rows-and-columns")])
def test_first_screen_shows_data_rows(browser: Browser, datasette_url: str, tmp_path: Path, path: str,
                                      table: str) -> None:
    browser.open(datasette_url + path)
    top = browser.evaluate(FIRST_ROW_TOP.format(table=table))
    assert top is not None and top < HEIGHT - 60, f"{path}: first data row at y={top}"
    rows_on_screen = browser.evaluate(f"[...document.querySelectorAll('{table} tbody tr')]"
                                      f".filter(r => r.getBoundingClientRect().top < {HEIGHT}).length")
    assert rows_on_screen >= 3, f"{path}: only {rows_on_screen} rows on the first screen"
    assert_not_blank(browser.screenshot(tmp_path / "screen.png"))


def test_facets_and_map_are_above_the_fold(browser: Browser, datasette_url: str) -> None:
    browser.open(datasette_url + "/training/activities")
    facets_top = browser.evaluate("document.querySelector('.facet-results').getBoundingClientRect().top")
    assert facets_top < HEIGHT / 2
    # The map is built after its scripts load: wait for Leaflet's container.
    browser.call("Runtime.evaluate", session=True, awaitPromise=True,
                 expression="new Promise(r => { const t = Date.now(); (function w() { "
                            "if (document.querySelector('.leaflet-container') || Date.now() - t > 8000) r(); "
                            "else setTimeout(w, 100); })(); })")
    map_box = browser.evaluate("(b => b && [b.top, b.height])("
                               "document.querySelector('.leaflet-container')?.getBoundingClientRect())")
    assert map_box, "no map on the activities page"
    assert map_box[0] < HEIGHT - 100 and map_box[1] >= 150


def _article_with_most_text(built_db: Path) -> int:
    import sqlite3

    connection = sqlite3.connect(built_db)
    try:
        return connection.execute("select a.id from articles a where exists (select 1 from events e where "
                                  "e.article_id = a.id) order by length(a.body) desc limit 1").fetchone()[0]
    finally:
        connection.close()


def test_article_page_reads_as_text(browser: Browser, datasette_url: str, built_db: Path, tmp_path: Path) -> None:
    article_id = _article_with_most_text(built_db)
    browser.open(f"{datasette_url}/training/articles/{article_id}")
    width = browser.evaluate("document.documentElement.clientWidth")
    body_width = browser.evaluate("document.querySelector('.reading-body').getBoundingClientRect().width")
    assert body_width >= width / 2, f"body column {body_width}px of {width}px"
    text_height = browser.evaluate("document.querySelector('.reading-body').getBoundingClientRect().height")
    page_height = browser.evaluate("document.documentElement.scrollHeight")
    assert page_height <= 2 * text_height + 800, f"page {page_height}px for {text_height}px of text"
    assert browser.evaluate("document.querySelectorAll('.reading-body mark').length") > 0
    assert_not_blank(browser.screenshot(tmp_path / "article.png"))


def test_event_page_is_short(browser: Browser, datasette_url: str, built_db: Path) -> None:
    import sqlite3

    connection = sqlite3.connect(built_db)
    try:
        event_id, quote = connection.execute("select id, quote from events where quote is not null "
                                             "order by length(quote) desc limit 1").fetchone()
    finally:
        connection.close()
    browser.open(f"{datasette_url}/training/events/{event_id}")
    sentence = browser.evaluate("document.querySelector('blockquote.event-sentence').innerText")
    assert quote.split()[0] in sentence
    text_height = browser.evaluate("document.querySelector('.event-layout').getBoundingClientRect().height")
    page_height = browser.evaluate("document.documentElement.scrollHeight")
    assert page_height <= 3 * text_height + 600, f"page {page_height}px for {text_height}px of content"
    assert page_height < 2 * HEIGHT


# Words of the facet labels that the browser lays out on more than one line (a line may break
# after a hyphen: "2021-" / "2025").
BROKEN_WORDS = """[...document.querySelectorAll('.facet-results ul.tight-bullets li a')].flatMap(a => {
  const node = a.firstChild; if (!node || node.nodeType !== 3) return [];
  return [...node.textContent.matchAll(/[^\\s-]+/g)].filter(m => {
    const range = document.createRange(); range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
  }).map(m => m[0]);
})"""


@pytest.mark.parametrize("path", ["/training/activities", "/training/events", "/training/articles"])
def test_facet_labels_break_between_words(browser: Browser, datasette_url: str, path: str) -> None:
    browser.open(datasette_url + path)
    breaks = browser.evaluate("[...document.querySelectorAll('.facet-results ul.tight-bullets li')]"
                              ".map(li => getComputedStyle(li).wordBreak)")
    assert breaks and "break-all" not in breaks
    wrapped = browser.evaluate("[...document.querySelectorAll('.facet-results ul.tight-bullets li')]"
                               ".filter(li => li.getClientRects().length && li.getBoundingClientRect().height > 30)"
                               ".length")
    assert wrapped > 0 or path == "/training/articles", "no label is long enough to wrap: the test shows nothing"
    assert browser.evaluate(BROKEN_WORDS) == []


def test_empty_search_result_shows_no_sql(browser: Browser, datasette_url: str) -> None:
    browser.open(datasette_url + "/training/activities?_search=zzzqqqxx")
    assert browser.evaluate("getComputedStyle(document.querySelector('pre.wrapped-sql')).display") == "none"
    assert browser.evaluate("document.querySelector('footer').getBoundingClientRect().bottom") < HEIGHT


@pytest.mark.parametrize("path", ["/training/search_events?q=gi%E1%BA%A3m+ngh%C3%A8o",
                                  "/training/search_articles?q=giam+ngheo", "/-/search?q=giam+ngheo"])
def test_search_results_are_on_the_first_screen(browser: Browser, datasette_url: str, tmp_path: Path,
                                                path: str) -> None:
    browser.open(datasette_url + path)
    top = browser.evaluate("(r => r && r.getBoundingClientRect().top)(document.querySelector("
                           "'table.rows-and-columns tbody tr, ul.search-articles li'))")
    assert top is not None and top < HEIGHT / 2, f"{path}: first result at y={top}"
    assert browser.evaluate("document.querySelector('#sql-query, #sql-editor')") is None
    assert_not_blank(browser.screenshot(tmp_path / "search.png"))
