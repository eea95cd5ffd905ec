"""One bounded HTTP GET for the SSB client, safe against a hostile or broken server.

* A total deadline per request: connect, headers and the whole body (also across redirects).
  A watchdog shuts the socket down when the deadline passes, so a server sending one byte per
  second is cut off on time (a read timeout alone restarts with every byte).
* A cap on the body on the wire and after decompression (gzip bomb); a ``Content-Length`` above
  the cap is refused before anything is read.
* Redirects are followed only on the same scheme, host and port; another host is refused.
* JSON is parsed with bounded depth (a deeply nested answer is an error, not a RecursionError).

Failures are ``TransportError`` with a ``kind`` the client turns into a Norwegian message.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from nokkeltall import text

CHUNK = 64 * 1024
REDIRECTS = (301, 302, 303, 307, 308)

# kinds of failure
OFFLINE = "offline"  # no connection: DNS failure, refused, unreachable, or TLS not verifiable
SLOW = "slow"  # no complete answer within the deadline
BROKEN = "broken"  # the connection was cut or the body is shorter than announced
TOO_LARGE = "too_large"  # the body (declared, on the wire or decompressed) passes the cap
REDIRECT = "redirect"  # a redirect to another host, or too many redirects
NOT_JSON = "not_json"  # the body is not JSON (or nested too deep, or packed in an unknown way)
RETRYABLE = frozenset({SLOW, BROKEN})


class TransportError(Exception):
    """A request failed; ``kind`` says why, ``str(error)`` is a Norwegian detail."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


@dataclass(frozen=True)
class Limits:
    deadline: float = 60.0  # seconds for one request: connect, headers and the whole body
    connect_timeout: float = 10.0
    max_bytes: int = 16 * 1024 * 1024  # body on the wire and after decompression
    max_redirects: int = 3


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str


# --- the watchdog --------------------------------------------------------------------------

_current = threading.local()


class _Watch:
    """Sockets opened or used for one request; shut down when the deadline passes."""

    def __init__(self, seconds: float):
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self.expire)
        self._timer.daemon = True

    def __enter__(self) -> _Watch:
        _current.watch = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _current.watch = None

    def register(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # the plain socket's shutdown, also under TLS: wakes a blocked read
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _register(sock: socket.socket | None) -> None:
    watch = getattr(_current, "watch", None)
    if watch is not None:
        watch.register(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _register(sock)
        return sock

    def request(self, *args, **kwargs):  # a kept-alive connection is watched too
        _register(self.sock)
        return super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _register(sock)
        return sock

    def request(self, *args, **kwargs):
        _register(self.sock)
        return super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class WatchedAdapter(HTTPAdapter):
    """An adapter whose connections report their sockets to the current request's watchdog."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def prepare(session: requests.Session) -> requests.Session:
    """Mount the watched adapter (once) on ``session``."""
    if not isinstance(session.get_adapter("https://x/"), WatchedAdapter):
        adapter = WatchedAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session


# --- the request ---------------------------------------------------------------------------


def get(session: requests.Session, url: str, params: dict[str, str] | None, limits: Limits) -> Reply:
    """GET ``url`` within ``limits``; raises ``TransportError``."""
    with _Watch(limits.deadline) as watch:
        try:
            return _get(session, url, params, limits)
        except TransportError as error:
            if watch.expired and error.kind == BROKEN:
                raise _too_slow(limits) from error
            raise
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            raise _failure(error, url, limits, watch.expired) from error


def _get(session: requests.Session, url: str, params: dict[str, str] | None, limits: Limits) -> Reply:
    origin = _origin(url)
    address, query = url, params
    for _ in range(limits.max_redirects + 1):
        response = session.get(
            address,
            params=query,
            stream=True,
            allow_redirects=False,
            timeout=(limits.connect_timeout, limits.deadline),
            headers={"Accept-Encoding": "gzip, deflate"},
        )
        with response:
            if response.status_code not in REDIRECTS:
                body = read_body(response, limits.max_bytes)
                return Reply(response.status_code, dict(response.headers), body, response.url)
            target = urljoin(response.url, response.headers.get("Location", ""))
        if _origin(target) != origin:
            host = urlsplit(target).netloc or "en ukjent adresse"
            raise TransportError(REDIRECT, f"sendte videre til en annen vert ({host}), og det følges ikke")
        address, query = target, None
    raise TransportError(REDIRECT, f"sendte videre mer enn {limits.max_redirects} ganger")


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, parts.hostname, parts.port or default


def read_body(response: requests.Response, max_bytes: int) -> bytes:
    """The body, decompressed, never more than ``max_bytes`` on the wire or after decompression."""
    chunked = "chunked" in response.headers.get("Transfer-Encoding", "").lower()
    declared = None if chunked else response.headers.get("Content-Length")  # chunked: the length is ignored
    if declared is not None:
        if not declared.strip().isdigit():
            raise TransportError(BROKEN, f"ugyldig Content-Length {declared[:40]!r}")
        if int(declared) > max_bytes:
            raise TransportError(TOO_LARGE, f"svaret oppgir {_megabytes(int(declared))}")
    decoder = _Decoder(response.headers.get("Content-Encoding", ""), max_bytes)
    wire = 0
    while True:
        piece = response.raw.read(CHUNK, decode_content=False)
        if not piece:
            break
        wire += len(piece)
        if wire > max_bytes:
            raise TransportError(TOO_LARGE, f"svaret er større enn {_megabytes(max_bytes)}")
        decoder.feed(piece)
    if declared is not None and wire != int(declared):
        raise TransportError(BROKEN, "svaret var kortere enn oppgitt")
    return decoder.result()


class _Decoder:
    """gzip/deflate (or no) decompression with a cap on the output."""

    def __init__(self, encoding: str, max_bytes: int):
        encoding = encoding.strip().lower()
        if encoding not in ("gzip", "x-gzip", "deflate", "", "identity"):
            raise TransportError(NOT_JSON, f"svaret er pakket på en ukjent måte ({encoding[:40]})")
        packed = encoding not in ("", "identity")
        self._inflater = zlib.decompressobj(47) if packed else None  # 47: a gzip or zlib header, detected
        self._max = max_bytes
        self._parts: list[bytes] = []
        self._size = 0

    def feed(self, data: bytes) -> None:
        if self._inflater is not None:
            try:
                data = self._inflater.decompress(data, self._max - self._size + 1)
            except zlib.error as error:
                raise TransportError(NOT_JSON, "svaret kunne ikke pakkes ut") from error
        self._size += len(data)
        if self._size > self._max:
            raise TransportError(TOO_LARGE, f"svaret er større enn {_megabytes(self._max)} utpakket")
        self._parts.append(data)

    def result(self) -> bytes:
        return b"".join(self._parts)


def _megabytes(size: int) -> str:
    return f"{text.number(size / 1024 / 1024)} MB"


def seconds(value: float) -> str:
    """«2 s», «0,5 s» (Norwegian number format)."""
    return f"{text.number(value, 0 if float(value).is_integer() else 1)} s"


def _too_slow(limits: Limits) -> TransportError:
    return TransportError(SLOW, f"ikke noe fullstendig svar innen {seconds(limits.deadline)}")


def _failure(error: BaseException, url: str, limits: Limits, expired: bool) -> TransportError:
    """Too slow, offline (no connection could be made) or a connection cut mid-answer."""
    host = urlsplit(url).hostname or url
    if isinstance(error, requests.ConnectTimeout) and not expired:
        waited = seconds(limits.connect_timeout)
        return TransportError(OFFLINE, f"fikk ikke kontakt med {host} innen {waited}")
    if expired or isinstance(error, (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)):
        return _too_slow(limits)
    if isinstance(error, requests.exceptions.SSLError):  # often a hotel or venue network's login page
        detail = f"den sikre forbindelsen til {host} kunne ikke bekreftes (sertifikatfeil"
        detail += "; krever nettet innlogging?)"
        return TransportError(OFFLINE, detail)
    cut_mid_body = isinstance(error, requests.exceptions.ChunkedEncodingError)
    if isinstance(error, requests.ConnectionError) and not cut_mid_body:
        reason = _root_cause(error)
        if isinstance(reason, (urllib3.exceptions.NameResolutionError, socket.gaierror)):
            return TransportError(OFFLINE, f"fant ikke {host} (navneoppslaget feilet)")
        if isinstance(reason, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError)):
            return TransportError(OFFLINE, f"fikk ikke kontakt med {host}")
    return TransportError(BROKEN, "avbrutt eller ufullstendig svar")


def _root_cause(error: BaseException) -> BaseException | None:
    """The urllib3 reason inside requests' ConnectionError(MaxRetryError(reason))."""
    seen = error.args[0] if error.args else None
    reason = getattr(seen, "reason", seen)
    return reason if isinstance(reason, BaseException) else None


def parse_json(body: bytes) -> Any:
    """JSON from UTF-8 bytes; ``TransportError(NOT_JSON)`` if it is not JSON or nested too deep."""
    try:
        return json.loads(body.decode("utf-8-sig"))
    except RecursionError:
        raise TransportError(NOT_JSON, "JSON-dokumentet er nestet for dypt") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise TransportError(NOT_JSON, "svaret er ikke JSON") from error
