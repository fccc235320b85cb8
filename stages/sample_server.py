"""Loopback HTTP server for the sample portal (demo, tests, benchmark).

It acts as an HTTP proxy for virtual hosts: the crawler sends `GET http://<host>/<path> HTTP/1.1`
to it (setting CRAWL_PROXY) and it answers from `<root>/<host>/<path>[@<query>]`. So every sample
site keeps stable URLs whatever port the server got, and nothing leaves the machine.

Faults can be injected per URL (tests, and the sample's `_faults.json`): a string applies to
every request, a list is consumed one action per request and then the file is served. Actions:
`status:<code>`, `sleep:<seconds>` (then serve), `redirect:<url>`, `oversize:<bytes>` (with its
Content-Length), `unsized:<bytes>` (a body of that size without Content-Length, ended by closing).
"""
from __future__ import annotations

import email.utils
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CONTENT_TYPES = {".xml": "application/xml", ".txt": "text/plain", ".jpg": "image/jpeg",
                 ".pdf": "application/pdf", ".json": "application/json"}


@dataclass
class ServedRequest:
    """One request the server answered (for assertions on what a crawl sent).

    :param received_at: `time.monotonic()` when the request arrived (gaps between requests)
    """

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    received_at: float = 0.0


class SamplePortalServer:
    """Serve a sample-portal directory on 127.0.0.1 (free port) in a background thread.

    :param root: directory holding one sub-directory per virtual host
    :param faults: URL → action or list of actions (see module docstring); also read from
        `<root>/_faults.json` when present
    """

    def __init__(self, root: Path, faults: dict[str, str | list[str]] | None = None) -> None:
        self.root = Path(root)
        fault_file = self.root / "_faults.json"
        self.faults: dict[str, str | list[str]] = (
            json.loads(fault_file.read_text(encoding="utf-8")) if fault_file.exists() else {})
        self.faults.update(faults or {})
        self.requests: list[ServedRequest] = []
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sample-portal", daemon=True)

    @property
    def proxy(self) -> str:
        """The value for the crawler's CRAWL_PROXY setting."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> SamplePortalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def next_action(self, url: str) -> str | None:
        """The fault to apply to this request, if any (consuming it when it is one of a list)."""
        with self._lock:
            action = self.faults.get(url)
            if isinstance(action, list):
                return action.pop(0) if action else None
            return action

    def log(self, request: ServedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(_PortalHandler):
            portal = server

        return Handler


class _QuietServer(ThreadingHTTPServer):
    """A client that gave up (time-out tests) is normal here, not worth a traceback.

    The listen backlog holds a crawl's connections opening at once: at socketserver's 5, the
    kernel dropped the others' connection requests and each client waited for its retry (1, 3,
    7, 15 s), so a crawl of the sample portal stood still for up to 18 s at a time.
    """

    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class _PortalHandler(BaseHTTPRequestHandler):
    portal: SamplePortalServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet by design
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.received_at = time.monotonic()
        url = self.path if self.path.startswith("http") else f"http://{self.headers.get('Host')}{self.path}"
        action = self.portal.next_action(url)
        if action and action.startswith("sleep:"):
            time.sleep(float(action.split(":", 1)[1]))
            action = None
        if action and action.startswith("status:"):
            return self._answer(url, int(action.split(":", 1)[1]), b"<html><body>Server error</body></html>")
        if action and action.startswith("redirect:"):
            return self._answer(url, 302, b"", {"Location": action.split(":", 1)[1]})
        if action and action.startswith("oversize:"):
            size = int(action.split(":", 1)[1])
            return self._answer(url, 200, b"<html><body>" + b"x" * size + b"</body></html>")
        if action and action.startswith("unsized:"):
            return self._answer_unsized(url, int(action.split(":", 1)[1]))
        path = self._file_for(url)
        if path is None:
            return self._answer(url, 404, b"<html><body>Not found</body></html>")
        body = path.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified,
                   "Content-Type": CONTENT_TYPES.get(path.suffix, "text/html")}
        if path.name == "index.html" and path.parent.name == "rss":
            headers["Content-Type"] = "application/rss+xml"
        elif body.startswith(b"%PDF"):
            headers["Content-Type"] = "application/pdf"
        if self.headers.get("If-None-Match") == etag or (
                self.headers.get("If-Modified-Since") == modified and not self.headers.get("If-None-Match")):
            return self._answer(url, 304, b"", headers)
        self._answer(url, 200, body, headers)

    def _file_for(self, url: str) -> Path | None:
        parts = urlsplit(url)
        host_dir = (self.portal.root / (parts.hostname or "")).resolve()
        relative = unquote(parts.path).lstrip("/")
        if not relative or relative.endswith("/"):
            relative += "index.html"
        # Like real servers, ignore trailing parameters the page does not use (OtItem, redirect…).
        params = parts.query.split("&") if parts.query else []
        candidates = [relative + "@" + "&".join(params[:n]) for n in range(len(params), 0, -1)] + [relative]
        for candidate in candidates:
            path = (host_dir / candidate).resolve()
            if path.is_relative_to(host_dir) and path.is_file():
                return path
            if (path / "index.html").is_file():
                return path / "index.html"
        return None

    def _answer(self, url: str, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        headers = headers or {}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Type" not in headers and body:
            self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)
        self.portal.log(ServedRequest(url, status, {k: v for k, v in self.headers.items()}, self.received_at))

    def _answer_unsized(self, url: str, size: int) -> None:
        """A body with no Content-Length, so the client only learns its size by reading it."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.portal.log(ServedRequest(url, 200, {k: v for k, v in self.headers.items()}, self.received_at))
        try:
            for _ in range(0, size, 65536):
                self.wfile.write(b"x" * 65536)
        except OSError:
            pass  # the client cut it off at its size cap, as it should

    do_HEAD = do_GET
