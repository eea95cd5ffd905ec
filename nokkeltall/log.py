"""Python logging for the app and the command line: what failed, and for whom, never a password.

``setup()`` sends the ``nokkeltall`` loggers (every module's ``logging.getLogger(__name__)``) to stderr
(the server's console) and to a rotating file under the data directory, ``data/logs/nokkeltall.log``
(1 MB, five old files kept). Each line names the session it came from (``context``: the Streamlit
session id in the app, ``cli`` for the command). Every secret handed to ``redact()`` is masked in
the text written, tracebacks included. ``setup()`` may be called on every page run: it does the work
once per data directory.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path

from nokkeltall import config

LOGGER = "nokkeltall"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(session)s] %(message)s"
MAX_BYTES = 1_000_000
BACKUPS = 5
MASK = "***"

_lock = threading.Lock()
_configured: tuple[Path, bool, Callable[[], str]] | None = None
_secrets: set[str] = set()


def log_path() -> Path:
    return config.data_dir() / "logs" / "nokkeltall.log"


def redact(secret: str | None) -> None:
    """Mask ``secret`` wherever it would appear in a log line (the editor password, for one)."""
    if secret:
        _secrets.add(secret)


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in sorted(_secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text


class _Context(logging.Filter):
    """Adds ``record.session``: who the line is about, from the caller's ``context()``."""

    def __init__(self, context: Callable[[], str]) -> None:
        super().__init__()
        self.context = context

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "session"):
            try:
                record.session = self.context()
            except Exception:  # a broken context must never lose the line itself
                record.session = "?"
        return True


class _Stderr(logging.StreamHandler):
    """Writes to the current ``sys.stderr`` (test runners and servers replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _File(RotatingFileHandler):
    """Opened at the first line written: a run that logs nothing leaves no logs/ folder behind."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)

    def _open(self):
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def _writable(folder: Path) -> bool:
    """Whether ``folder`` exists or can be made, and files can be written in it."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return existing.is_dir() and os.access(existing, os.W_OK)


def _handlers(path: Path, stderr: bool) -> tuple[list[logging.Handler], bool]:
    handlers: list[logging.Handler] = [_Stderr()] if stderr else []
    if not _writable(path.parent):  # a read-only data folder: keep logging to stderr
        return handlers, False
    return [*handlers, _File(path)], True


def _nobody() -> str:
    return "-"


def setup(context: Callable[[], str] = _nobody, *, stderr: bool = True, level: int = logging.INFO) -> Path:
    """Configure the ``nokkeltall`` loggers once per data directory; returns the log file's path."""
    global _configured
    path = log_path()
    with _lock:
        if _configured == (path, stderr, context):
            return path
        logger = logging.getLogger(LOGGER)
        for old in list(logger.handlers):
            logger.removeHandler(old)
            old.close()
        handlers, to_file = _handlers(path, stderr)
        for handler in handlers:
            handler.setFormatter(_RedactingFormatter(FORMAT))
            handler.addFilter(_Context(context))
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
        _configured = (path, stderr, context)
    if not to_file:
        logger.warning("no log file: %s cannot be written", path.parent)
    return path
