"""A local hostile HTTP server (127.0.0.1 only, every loop bounded) for refresh tests.

The first path segment picks the misbehaviour (``Hostile.base_url(mode)``): ``trickle`` (a proper
Content-Length, then 1 byte/s), ``trickleheaders`` (the headers at 1 byte/s), ``chunked`` (an
endless chunked body), ``gzipbomb`` (256 MB of zeros in 256 KB), ``hugelength`` (a 2 GB
Content-Length), ``redirect`` (to ``valid`` on the host name ``localhost``), ``sameredirect`` (to
``valid`` on the same host), ``mixedindex`` (a category index mixing strings and numbers),
``deep`` (JSON nested 100,000 deep), ``manyobjects`` (16 MB of empty objects), ``allmissing``
(every value missing), ``gzipvalid`` (a proper answer, gzip-compressed) and ``valid`` (proper
answers for table 06913).
"""

from __future__ import annotations

import functools
import gzip
import json
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
from ssb_standin import data_document, metadata_document, standin_table_for

from nokkeltall.datasets import conform
from nokkeltall.ssb.tables import TABLES

SPEC = TABLES["06913"]
BOMB_SIZE = 256 * 1024 * 1024  # decompressed gzip bomb (the cap is 16 MB)


# --- data the server answers with when it answers properly -------------------------------


def tidy_frame() -> pd.DataFrame:
    rows = [
        (region, year, measure, float(10 * year % 97 + len(measure)))
        for region in ("1835", "5043")
        for year in range(2020, 2025)
        for measure in ("population_06913", "natural_increase", "net_migration")
    ]
    return conform(pd.DataFrame(rows, columns=["region_code", "year", "measure", "value"]), "observations")


TABLE = standin_table_for(SPEC, tidy_frame(), updated="2026-01-01T07:00:00Z")


def metadata() -> dict:
    return metadata_document(TABLE)


def data_all_missing() -> dict:
    document = data_document(TABLE, TABLE.categories)
    return {**document, "value": [None] * len(document["value"]), "status": ".."}


def metadata_mixed_index() -> dict:
    document = metadata()
    index = document["dimension"]["Region"]["category"]["index"]
    codes = list(index)
    document["dimension"]["Region"]["category"]["index"] = {
        code: (position if position % 2 else str(position)) for position, code in enumerate(codes)
    }
    return document


@functools.lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(zeros) for _ in range(BOMB_SIZE // len(zeros))]
    return b"".join(parts) + packer.flush()


# --- the hostile server ----------------------------------------------------------------------


class Hostile:
    """One server; the first path segment picks the misbehaviour."""

    def __init__(self):
        self.requests: list[str] = []
        self.bytes_sent: dict[str, int] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.stopping = threading.Event()

    def start(self) -> Hostile:
        serve = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        serve.daemon = True
        serve.start()
        return self

    def __enter__(self) -> Hostile:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def base_url(self, mode: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/{mode}/api/pxwebapi/v2"

    def count(self, mode: str, sent: int) -> None:
        self.bytes_sent[mode] = self.bytes_sent.get(mode, 0) + sent


class HostileHandler(BaseHTTPRequestHandler):
    """Answers for ``hostile`` (set on a subclass per server)."""

    protocol_version = "HTTP/1.1"
    hostile: Hostile

    def do_GET(self) -> None:
        mode = self.path.strip("/").split("/", 1)[0]
        self.hostile.requests.append(self.path)
        endpoint = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
        try:
            getattr(self, f"answer_{mode}")(endpoint)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True  # the client gave up: what it should do

    # -- helpers ---------------------------------------------------------------------

    def head(self, status: int = 200, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def json(self, document) -> None:
        body = json.dumps(document).encode()
        self.head(Content_Length=str(len(body)))
        self.wfile.write(body)

    def slowly(self, data: bytes, mode: str, limit: int = 60) -> None:
        for byte in data[:limit]:  # bounded: at most a minute, ends when the client leaves
            if self.hostile.stopping.is_set():
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            self.hostile.count(mode, 1)
            time.sleep(1.0)

    # -- the misbehaviours ---------------------------------------------------------

    def answer_trickle(self, endpoint: str) -> None:
        body = json.dumps(metadata()).encode()
        self.head(Content_Length=str(len(body)))
        self.slowly(body, "trickle")

    def answer_trickleheaders(self, endpoint: str) -> None:
        self.wfile.flush()
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 200
        self.slowly(head, "trickleheaders")

    def answer_chunked(self, endpoint: str) -> None:
        self.head(Transfer_Encoding="chunked")
        chunk = b" " * 65536
        for _ in range(16_384):  # at most 1 GB; the client should stop long before
            if self.hostile.stopping.is_set():
                return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.hostile.count("chunked", len(chunk))

    def answer_gzipbomb(self, endpoint: str) -> None:
        bomb = gzip_bomb()
        self.head(Content_Encoding="gzip", Content_Length=str(len(bomb)))
        self.wfile.write(bomb)

    def answer_hugelength(self, endpoint: str) -> None:
        self.head(Content_Length=str(2 * 1024**3))
        for _ in range(2_048):  # 128 MB at most, if the client were to read
            if self.hostile.stopping.is_set():
                return
            self.wfile.write(b" " * 65536)
            self.hostile.count("hugelength", 65536)

    def answer_redirect(self, endpoint: str) -> None:
        target = self.hostile.base_url("valid", host="localhost") + f"/tables/06913/{endpoint}"
        self.head(302, Location=target, Content_Length="0")

    def answer_sameredirect(self, endpoint: str) -> None:
        self.head(302, Location=f"/valid/api/pxwebapi/v2/tables/06913/{endpoint}", Content_Length="0")

    def answer_gzipvalid(self, endpoint: str) -> None:
        document = metadata() if endpoint == "metadata" else data_document(TABLE, TABLE.categories)
        body = gzip.compress(json.dumps(document).encode())
        self.head(Content_Encoding="gzip", Content_Length=str(len(body)))
        self.wfile.write(body)

    def answer_valid(self, endpoint: str) -> None:
        self.json(metadata() if endpoint == "metadata" else data_document(TABLE, TABLE.categories))

    def answer_mixedindex(self, endpoint: str) -> None:
        self.json(metadata_mixed_index())

    def answer_deep(self, endpoint: str) -> None:
        body = b"[" * 100_000 + b"]" * 100_000
        self.head(Content_Length=str(len(body)))
        self.wfile.write(body)

    def answer_manyobjects(self, endpoint: str) -> None:
        body = b"[" + b"{}," * (5_500_000) + b"{}]"  # just under 16 MB: the most Python objects per byte
        self.head(Content_Length=str(len(body)))
        self.wfile.write(body)

    def answer_allmissing(self, endpoint: str) -> None:
        self.json(metadata() if endpoint == "metadata" else data_all_missing())

    def log_message(self, *args) -> None:
        pass


def _handler(hostile: Hostile) -> type[HostileHandler]:
    return type("Handler", (HostileHandler,), {"hostile": hostile})
