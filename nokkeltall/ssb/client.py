"""A small PxWebApi 2.0 client over ``requests``.

Keeps SSB's rules: no query above 800,000 cells or about 2,000 URL characters (queries are
split), at most 30 requests per 60 seconds (sliding window), retries 429/5xx/timeouts with
exponential backoff honouring ``Retry-After`` within a bounded total time, validates every
data response as JSON-stat 2.0 before use, and caches raw responses on disk.

Every request is bounded (``nokkeltall.ssb.transport``): a total deadline, a cap on the answer's
size, no redirect to another host, bounded JSON depth. A budget (``start_budget``) bounds the
whole run, waits and retries included. Each failure names its cause in Norwegian: no network,
too slow, too large, not JSON-stat, or SSB refused.

Clock and sleep are injectable so tests run in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from nokkeltall import config, jsonstat
from nokkeltall.ssb import transport

MAX_CELLS = 800_000
MAX_URL_LENGTH = 2_000
MAX_REQUESTS_PER_WINDOW = 30
WINDOW_SECONDS = 60.0


class SsbError(RuntimeError):
    """A request to SSB failed for good; ``str(error)`` is a Norwegian message naming the table."""

    def __init__(self, message: str, table_id: str, status: int | None = None):
        super().__init__(message)
        self.table_id = table_id
        self.status = status


class SlidingWindowRateLimiter:
    """At most ``max_requests`` in any ``window`` seconds: waits (``sleep``) until a slot frees."""

    def __init__(
        self,
        max_requests: int = MAX_REQUESTS_PER_WINDOW,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.max_requests = max_requests
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self._sent: deque[float] = deque()

    def wait_time(self) -> float:
        """Seconds until a request may be sent (0 if now)."""
        now = self.clock()
        recent = [sent for sent in self._sent if sent > now - self.window]
        if len(recent) < self.max_requests:
            return 0.0
        return recent[len(recent) - self.max_requests] + self.window - now

    def acquire(self) -> None:
        while True:
            now = self.clock()
            while self._sent and self._sent[0] <= now - self.window:
                self._sent.popleft()
            if len(self._sent) < self.max_requests:
                self._sent.append(now)
                return
            self.sleep(self._sent[0] + self.window - now)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 2.0  # seconds before the 2nd attempt, doubled each time
    max_delay: float = 60.0
    max_total_seconds: float = 300.0  # give up when waiting longer would pass this

    def backoff(self, failed_attempts: int) -> float:
        return min(self.max_delay, self.base_delay * 2 ** (failed_attempts - 1))


class ResponseCache:
    """Raw responses on disk with their URL, query and fetch time; fresh for ``max_age`` seconds."""

    def __init__(
        self,
        directory: Path | None = None,
        max_age: float = 6 * 3600,
        now: Callable[[], float] = time.time,
    ):
        self.directory = Path(directory) if directory is not None else config.cache_dir() / "ssb"
        self.max_age = max_age
        self.now = now

    def _path(self, table_id: str, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        return self.directory / table_id / f"{digest}.json"

    def get(self, table_id: str, url: str) -> str | None:
        if self.max_age <= 0:
            return None
        path = self._path(table_id, url)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # unreadable: ask SSB again
            return None
        if entry.get("url") != url or self.now() - entry.get("fetched_epoch", 0) > self.max_age:
            return None
        return entry.get("body")

    def put(self, table_id: str, url: str, query: dict, body: str) -> None:
        fetched = self.now()
        entry = {
            "url": url,
            "table_id": table_id,
            "query": query,
            "fetched_epoch": fetched,
            "fetched_at": datetime.fromtimestamp(fetched, UTC).isoformat(),
            "body": body,
        }
        path = self._path(table_id, url)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, json.dumps(entry, ensure_ascii=False))


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- queries -------------------------------------------------------------------------------


def dimension_codes(metadata: dict) -> dict[str, list[str]]:
    """Category codes per dimension in the table's order (from a JSON-stat metadata document).

    Raises ``jsonstat.JsonStatError`` if the structure is not valid JSON-stat 2.0.
    """
    return jsonstat.validate_structure(metadata)


def cell_count(selection: dict[str, list[str]]) -> int:
    return math.prod(len(codes) for codes in selection.values())


def data_params(selection: dict[str, list[str]], all_codes: dict[str, list[str]]) -> dict[str, str]:
    """Query parameters; a dimension asked for in full is written as ``*`` to keep URLs short."""
    params = {"lang": "no", "outputFormat": "json-stat2"}
    for dimension, codes in selection.items():
        is_everything = len(codes) == len(all_codes.get(dimension, ())) and set(codes) == set(
            all_codes[dimension]
        )
        params[f"valueCodes[{dimension}]"] = "*" if is_everything else ",".join(codes)
    return params


def full_url(url: str, params: dict[str, str]) -> str:
    prepared = requests.Request("GET", url, params=params).prepare().url
    assert prepared is not None  # prepare() always sets it
    return prepared


def split_selection(
    selection: dict[str, list[str]], fits: Callable[[dict[str, list[str]]], bool]
) -> list[dict[str, list[str]]]:
    """Halve the dimension with most codes until every part ``fits``."""
    if fits(selection):
        return [selection]
    dimension = max(selection, key=lambda d: len(selection[d]))
    codes = selection[dimension]
    if len(codes) < 2:
        raise ValueError("spørringen kan ikke deles mer og er fortsatt for stor")
    middle = len(codes) // 2
    parts = []
    for half in (codes[:middle], codes[middle:]):
        parts += split_selection({**selection, dimension: half}, fits)
    return parts


# --- the client ----------------------------------------------------------------------------


class PxWebClient:
    def __init__(
        self,
        base_url: str | None = None,
        *,
        session: requests.Session | None = None,
        timeout: float | None = None,
        retry: RetryPolicy = RetryPolicy(),
        rate_limiter: SlidingWindowRateLimiter | None = None,
        cache: ResponseCache | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_cells: int = MAX_CELLS,
        max_url_length: int = MAX_URL_LENGTH,
        max_bytes: int | None = None,
    ):
        """``timeout``: seconds for one whole request (connect, headers and body; default
        ``NOKKELTALL_SSB_TIMEOUT`` or 60); ``max_bytes``: the largest answer (default
        ``NOKKELTALL_SSB_MAX_MB`` or 16 MB)."""
        self.base_url = (base_url or config.ssb_api_base()).rstrip("/")
        self.session = transport.prepare(session or requests.Session())
        self.timeout = timeout if timeout is not None else config.ssb_request_seconds()
        self.max_bytes = max_bytes if max_bytes is not None else config.ssb_max_bytes()
        self.budget: float | None = None
        self.deadline: float | None = None  # on ``clock``
        self.retry = retry
        self.clock = clock
        self.sleep = sleep
        self.rate_limiter = rate_limiter or SlidingWindowRateLimiter(clock=clock, sleep=sleep)
        self.cache = cache if cache is not None else ResponseCache()
        self.max_cells = max_cells
        self.max_url_length = max_url_length
        self.requests_sent = 0
        self.cache_hits = 0

    # public -----------------------------------------------------------------------------

    def start_budget(self, seconds: float) -> None:
        """From now on, give up (``SsbError``) when ``seconds`` have passed, waits included."""
        self.budget = seconds
        self.deadline = self.clock() + seconds

    def metadata(self, table_id: str) -> dict:
        url = f"{self.base_url}/tables/{table_id}/metadata"
        document = self._get_json(table_id, url, {"lang": "no"})
        _check_metadata(document, table_id)
        return document

    def data_queries(
        self, table_id: str, selection: dict[str, list[str]], all_codes: dict[str, list[str]]
    ) -> list[dict[str, str]]:
        """The selection split into queries that each keep SSB's cell and URL limits."""
        url = self._data_url(table_id)

        def fits(part: dict[str, list[str]]) -> bool:
            return (
                cell_count(part) <= self.max_cells
                and len(full_url(url, data_params(part, all_codes))) <= self.max_url_length
            )

        try:
            parts = split_selection(selection, fits)
        except ValueError:
            raise SsbError(
                f"Spørringen mot tabell {table_id} kan ikke deles slik at den holder SSBs grenser.",
                table_id,
            ) from None
        return [data_params(part, all_codes) for part in parts]

    def data(self, table_id: str, params: dict[str, str], expected_dimensions=None) -> dict:
        """One data query; the answer is validated as JSON-stat 2.0 before it is returned."""

        def validate(document: dict) -> None:
            try:
                jsonstat.validate(document, expected_dimensions=expected_dimensions, max_cells=self.max_cells)
            except jsonstat.JsonStatError as error:
                raise SsbError(
                    f"SSB sendte et svar for tabell {table_id} som ikke er gyldig JSON-stat 2.0: {error}.",
                    table_id,
                ) from error

        return self._get_json(table_id, self._data_url(table_id), params, validate)

    def data_url(self, table_id: str, params: dict[str, str]) -> str:
        return full_url(self._data_url(table_id), params)

    # internals ----------------------------------------------------------------------------

    def _data_url(self, table_id: str) -> str:
        return f"{self.base_url}/tables/{table_id}/data"

    def _get_json(self, table_id, url, params, validate: Callable[[dict], None] | None = None):
        address = full_url(url, params)
        cached = self.cache.get(table_id, address)
        if cached is not None:
            document = json.loads(cached)
            if validate:
                validate(document)
            self.cache_hits += 1
            return document
        body, document = self._fetch_with_retries(table_id, url, params)
        if not isinstance(document, dict):
            raise SsbError(f"SSB sendte et svar for tabell {table_id} som ikke er JSON-stat.", table_id)
        if validate:
            validate(document)
        self.cache.put(table_id, address, params, body)  # only answers that passed validation
        return document

    def _fetch_with_retries(self, table_id: str, url: str, params: dict) -> tuple[str, object]:
        started = self.clock()
        attempts = 0
        while True:
            attempts += 1
            success, outcome = self._attempt(table_id, url, params)
            if success:
                return outcome
            kind, reason, retry_after = outcome
            delay = max(retry_after or 0.0, self.retry.backoff(attempts))
            out_of_time = self.clock() - started + delay > self.retry.max_total_seconds
            if attempts >= self.retry.max_attempts or out_of_time or self._past_deadline(delay):
                raise SsbError(_gave_up(table_id, attempts, kind, reason), table_id)
            self.sleep(delay)

    def _past_deadline(self, wait: float = 0.0) -> bool:
        return self.deadline is not None and self.clock() + wait >= self.deadline

    def _limits(self, table_id: str) -> transport.Limits:
        deadline = self.timeout
        if self.deadline is not None:
            deadline = min(deadline, self.deadline - self.clock())
        if deadline <= 0:
            raise SsbError(self._budget_spent(table_id), table_id)
        return transport.Limits(
            deadline=deadline, connect_timeout=min(10.0, deadline), max_bytes=self.max_bytes
        )

    def _budget_spent(self, table_id: str) -> str:
        return (
            f"Tidsbudsjettet for oppdateringen ({transport.seconds(self.budget or 0)}) er brukt opp før "
            f"tabell {table_id} var hentet: SSB svarte for sakte."
        )

    def _attempt(self, table_id: str, url: str, params: dict) -> tuple[bool, tuple]:
        """(True, (body, parsed JSON)) or (False, (kind, reason, Retry-After seconds)) if retryable."""
        if self._past_deadline(self.rate_limiter.wait_time()):
            raise SsbError(self._budget_spent(table_id), table_id)
        self.rate_limiter.acquire()
        limits = self._limits(table_id)
        self.requests_sent += 1
        try:
            reply = transport.get(self.session, url, params, limits)
            return self._answer(table_id, reply)
        except transport.TransportError as error:
            if not error.retryable:
                raise SsbError(_transport_message(error, table_id, self.base_url), table_id) from error
            if error.kind == transport.SLOW and limits.deadline < self.timeout:
                spent = f"tidsbudsjettet på {transport.seconds(self.budget or 0)} er brukt opp"
                return False, (error.kind, spent, None)
            return False, (error.kind, str(error), None)

    def _answer(self, table_id: str, reply: transport.Reply) -> tuple[bool, tuple]:
        status = reply.status
        if status == 200:
            document = transport.parse_json(reply.body)
            return True, (reply.body.decode("utf-8-sig"), document)
        if status == 429:
            return False, ("http", "HTTP 429, for mange forespørsler", _retry_after(reply.headers))
        if status >= 500:
            return False, ("http", f"HTTP {status}", _retry_after(reply.headers))
        if status == 404:
            raise SsbError(f"SSB kjenner ikke tabell {table_id} (HTTP 404).", table_id, status)
        detail = reply.body[:200].decode("utf-8", "replace").strip()
        raise SsbError(
            f"SSB avviste spørringen for tabell {table_id} (HTTP {status}): {detail}", table_id, status
        )


def _gave_up(table_id: str, attempts: int, kind: str, reason: str) -> str:
    if kind == transport.SLOW:
        return f"SSB svarte for sakte for tabell {table_id}: {reason} (etter {attempts} forsøk)."
    return f"SSB svarte ikke for tabell {table_id} etter {attempts} forsøk ({reason})."


def _transport_message(error: transport.TransportError, table_id: str, base_url: str) -> str:
    """Norwegian message naming the cause: no network, too large, redirected, not JSON-stat."""
    if error.kind == transport.OFFLINE:
        return f"Ingen nettforbindelse: {error}, så tabell {table_id} kunne ikke hentes fra SSB."
    if error.kind == transport.TOO_LARGE:
        return f"Svaret fra SSB for tabell {table_id} er for stort ({error}); hentingen ble avbrutt."
    if error.kind == transport.REDIRECT:
        return (
            f"SSB-adressen {base_url} {error}; tabell {table_id} ble ikke hentet. "
            "Sjekk adressen (NOKKELTALL_SSB_API)."
        )
    return f"SSB sendte et svar for tabell {table_id} som ikke er JSON-stat ({error})."


def _retry_after(headers) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _check_metadata(document: dict, table_id: str) -> None:
    try:
        jsonstat.validate_structure(document)
    except jsonstat.JsonStatError as error:
        raise SsbError(
            f"SSB sendte metadata for tabell {table_id} som ikke er gyldig JSON-stat 2.0: {error}.", table_id
        ) from None
