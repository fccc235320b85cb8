"""Raw archive of every article response as WARC records (warcio), and reading one back.

Each record is its own gzip member, written in one go before the article is stored, so the offset
kept in the database stays valid even if the crawl is killed while writing a later record; a
record that fails half-way (a full disk) is cut off again, so the file stays readable.
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# The body is stored decoded (Scrapy removed any gzip transfer coding), so these no longer apply.
_STALE_HEADERS = {b"content-encoding", b"transfer-encoding", b"content-length"}


class WarcArchive:
    """Append-only WARC file for one crawl of one site.

    :param directory: archive root; the file goes to `<directory>/<site>/<started>-<pid>.warc.gz`
    :param site: the site's domain
    :param run_id: identifies the crawl run (part of the file name)
    """

    def __init__(self, directory: Path, site: str, run_id: str) -> None:
        folder = archive_folder(Path(directory), site)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{_single_name(run_id, 'run id')}.warc.gz"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._record = BytesIO()
        self._writer = WARCWriter(self._record, gzip=True)

    def write_response(self, url: str, status: int, reason: str, headers: list[tuple[bytes, bytes]],
                       body: bytes) -> int:
        """Append one HTTP response record and return its offset in the file.

        :param url: the URL the response came from
        :param status: HTTP status code
        :param reason: HTTP reason phrase
        :param headers: response headers as (name, value) byte pairs
        :param body: response body, already decoded from any content coding
        """
        kept = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers if k.lower() not in _STALE_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), kept, protocol="HTTP/1.1")
        record = self._writer.create_warc_record(
            url, "response", payload=BytesIO(body), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
        self._record.seek(0)
        self._record.truncate()
        self._writer.write_record(record)
        offset = os.lseek(self._fd, 0, os.SEEK_END)
        with self._record.getbuffer() as data:
            written = 0
            try:
                while written < len(data):
                    written += os.write(self._fd, data[written:])
            except OSError:
                os.ftruncate(self._fd, offset)  # no half record: the next one starts at a clean boundary
                raise
        return offset

    def close(self) -> None:
        os.close(self._fd)


def archive_folder(directory: Path, site: str) -> Path:
    """The folder of a site's WARC files: `<directory>/<site>`, never anywhere else.

    :param directory: the archive root
    :param site: the site's domain (a port becomes `_port`)
    :raises ValueError: when the site name would leave the archive root (`..`, `/`, an absolute path)
    """
    folder = directory / _single_name(site.replace(":", "_"), "site")
    if not folder.resolve().is_relative_to(directory.resolve()):
        raise ValueError(f"archive folder of site {site!r} would be outside {directory}")
    return folder


def _single_name(name: str, what: str) -> str:
    """`name` if it is one plain file name (no separator, not `.` or `..`, no control characters)."""
    if not name or name in (".", "..") or re.search(r"[/\\\x00-\x1f]", name):
        raise ValueError(f"{what} {name!r} cannot name a file in the archive")
    return name


def read_warc_record(path: str | Path, offset: int) -> tuple[str, dict[str, str], bytes]:
    """Read back one archived response.

    :param path: WARC file, as stored with the article
    :param offset: the record's offset, as stored with the article
    :returns: (URL, HTTP headers, body bytes)
    :raises ValueError: when no response record starts at that offset
    """
    with open(path, "rb") as stream:
        stream.seek(offset)
        for record in ArchiveIterator(stream):
            if record.rec_type != "response":
                break
            headers = dict(record.http_headers.headers) if record.http_headers else {}
            return record.rec_headers.get_header("WARC-Target-URI"), headers, record.content_stream().read()
    raise ValueError(f"{path}: no WARC response record at offset {offset}")
