"""Progress reporting for long stages: count, rate and ETA.

On a terminal it redraws one status line; elsewhere (cron, CI, log files) it logs a plain line
at most every `interval` seconds so logs stay readable.
"""
from __future__ import annotations

import logging
import sys
import time
from typing import IO

log = logging.getLogger("pipeline.progress")


class Progress:
    """Track and report progress of a stage.

    :param label: what is being counted, e.g. "articles extracted"
    :param total: expected number of items, when known (enables the ETA)
    :param stream: where a terminal status line goes (default stderr)
    :param interval: minimum seconds between two reports
    """

    def __init__(self, label: str, total: int | None = None, stream: IO[str] | None = None,
                 interval: float = 2.0) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.interval = interval
        self.count = 0
        self.failed = 0
        self.started = time.monotonic()
        self._last_report = 0.0
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def advance(self, n: int = 1, failed: int = 0) -> None:
        """Count `n` more items, `failed` of which failed, and report when due."""
        self.count += n
        self.failed += failed
        now = time.monotonic()
        if now - self._last_report >= self.interval:
            self._last_report = now
            self._report(final=False)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.count / elapsed if elapsed > 0 else 0.0

    def status(self) -> str:
        """One human-readable status line: count, rate, failures and ETA."""
        parts = [f"{self.label}: {self.count}" + (f"/{self.total}" if self.total else "")]
        parts.append(f"{self.rate:.1f}/s")
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.total and self.rate > 0 and self.count < self.total:
            parts.append(f"ETA {(self.total - self.count) / self.rate:.0f}s")
        return ", ".join(parts)

    def _report(self, final: bool) -> None:
        if self._tty:
            end = "\n" if final else ""
            self.stream.write("\r" + self.status() + "\x1b[K" + end)
            self.stream.flush()
        else:
            log.info(self.status())

    def close(self) -> None:
        """Print the final status line."""
        self._report(final=True)
