"""`nokkeltall refresh` against hostile servers: bounded time, bounded memory, the snapshot intact.

A local server (127.0.0.1 only, every loop bounded) misbehaves in one way per path prefix: a
1 byte/s trickle (body, and headers), an endless chunked body, a gzip bomb, a 2 GB
Content-Length, a redirect to another host, a category index mixing types, JSON nested 100,000
deep, an answer with every value missing. No network is a closed port and a name that does not
resolve. Each case runs the real command as a child process with small budgets in the
environment and asserts: exit code 1, the Norwegian message naming the cause, no traceback,
wall time within the budget, the child's peak memory, and the snapshot's bytes unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from ssb_standin import data_document, metadata_document, standin_table_for

from nokkeltall import snapshot
from nokkeltall.datasets import Dataset, conform
from nokkeltall.ssb.tables import TABLES

SPEC = TABLES["06913"]
REQUEST_SECONDS = 1.0  # NOKKELTALL_SSB_TIMEOUT for the child
BUDGET_SECONDS = 3.0  # NOKKELTALL_SSB_BUDGET for the child
STARTUP_SECONDS = 6.0  # the child's own start (imports) and exit, on a loaded machine
HARD_KILL_SECONDS = 40.0  # a child still running then has failed the test anyway
MEMORY_LIMIT = 1024**3  # 1 GB
BOMB_SIZE = 256 * 1024 * 1024  # decompressed gzip bomb (the cap is 32 MB)


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


def gzip_bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(zeros) for _ in range(BOMB_SIZE // len(zeros))]
    return b"".join(parts) + packer.flush()


# --- the hostile server ----------------------------------------------------------------------


class Hostile:
    """One server; the first path segment picks the misbehaviour."""

    def __init__(self):
        self.bomb = gzip_bomb()
        self.requests: list[str] = []
        self.bytes_sent: dict[str, int] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.stopping = threading.Event()

    def start(self) -> "Hostile":
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

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


def _handler(hostile: Hostile):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            mode = self.path.strip("/").split("/", 1)[0]
            hostile.requests.append(self.path)
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
                if hostile.stopping.is_set():
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                hostile.count(mode, 1)
                time.sleep(1.0)

        # -- the misbehaviours ---------------------------------------------------------

        def answer_trickle(self, endpoint: str) -> None:
            body = json.dumps(metadata()).encode()
            self.head(Content_Length=str(len(body)))
            self.slowly(body, "trickle")

        def answer_trickleheaders(self, endpoint: str) -> None:
            self.wfile.flush()
            self.slowly(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 200, "trickleheaders")

        def answer_chunked(self, endpoint: str) -> None:
            self.head(Transfer_Encoding="chunked")
            chunk = b" " * 65536
            for _ in range(16_384):  # at most 1 GB; the client should stop long before
                if hostile.stopping.is_set():
                    return
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                hostile.count("chunked", len(chunk))

        def answer_gzipbomb(self, endpoint: str) -> None:
            self.head(Content_Encoding="gzip", Content_Length=str(len(hostile.bomb)))
            self.wfile.write(hostile.bomb)

        def answer_hugelength(self, endpoint: str) -> None:
            self.head(Content_Length=str(2 * 1024**3))
            for _ in range(2_048):  # 128 MB at most, if the client were to read
                if hostile.stopping.is_set():
                    return
                self.wfile.write(b" " * 65536)
                hostile.count("hugelength", 65536)

        def answer_redirect(self, endpoint: str) -> None:
            target = hostile.base_url("valid", host="localhost") + f"/tables/06913/{endpoint}"
            self.head(302, Location=target, Content_Length="0")

        def answer_valid(self, endpoint: str) -> None:
            self.json(metadata() if endpoint == "metadata" else data_document(TABLE, TABLE.categories))

        def answer_mixedindex(self, endpoint: str) -> None:
            self.json(metadata_mixed_index())

        def answer_deep(self, endpoint: str) -> None:
            body = b"[" * 100_000 + b"]" * 100_000
            self.head(Content_Length=str(len(body)))
            self.wfile.write(body)

        def answer_allmissing(self, endpoint: str) -> None:
            self.json(metadata() if endpoint == "metadata" else data_all_missing())

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def hostile():
    server = Hostile().start()
    yield server
    server.stop()


# --- the child process -----------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A previous snapshot: older 06913 figures and an unrelated dataset."""
    directory = tmp_path / "data"
    old = tidy_frame().assign(value=lambda f: f["value"] + 1)
    snapshot.write_datasets(
        [
            Dataset("population_changes_06913", "observations", old, "06913", "old", "old.csv", updated="2024-03-01"),
            Dataset("other", "observations", old.head(3), "99999", "other", "other.csv"),
        ],
        directory / "snapshot",
    )
    return directory


def file_bytes(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def run_refresh(api: str, data_dir: Path, tmp_path: Path) -> tuple[int, str, float, int]:
    """(exit code, stderr, wall seconds, peak RSS in bytes) of `nokkeltall refresh --table 06913`."""
    env = {
        **os.environ,
        "NOKKELTALL_DATA_DIR": str(data_dir),
        "NOKKELTALL_SSB_API": api,
        "NOKKELTALL_SSB_TIMEOUT": str(REQUEST_SECONDS),
        "NOKKELTALL_SSB_BUDGET": str(BUDGET_SECONDS),
    }
    err = tmp_path / "stderr.txt"
    started = time.monotonic()
    with open(tmp_path / "stdout.txt", "wb") as out, open(err, "wb") as errors:
        pid = os.posix_spawn(
            sys.executable, [sys.executable, "-m", "nokkeltall", "refresh", "--table", "06913"], env,
            file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, errors.fileno(), 2)],
        )
    while True:  # wait4 gives this child's own peak memory
        waited, status, usage = os.wait4(pid, os.WNOHANG)
        if waited:
            break
        if time.monotonic() - started > HARD_KILL_SECONDS:
            os.kill(pid, 9)
            os.wait4(pid, 0)
            pytest.fail(f"refresh still running after {HARD_KILL_SECONDS} s")
        time.sleep(0.02)
    wall = time.monotonic() - started
    return os.waitstatus_to_exitcode(status), err.read_text(encoding="utf-8"), wall, usage.ru_maxrss * 1024


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed when the block ends: connection refused


# case: (mode or API address, expected fragments of the message, the most seconds it may take)
CASES = {
    "trickle": ("trickle", ["SSB svarte for sakte", "tabell 06913"], BUDGET_SECONDS),
    "trickle_headers": ("trickleheaders", ["SSB svarte for sakte", "tabell 06913"], BUDGET_SECONDS),
    "endless_chunked": ("chunked", ["er for stort", "større enn 32 MB"], REQUEST_SECONDS),
    "gzip_bomb": ("gzipbomb", ["er for stort", "utpakket"], REQUEST_SECONDS),
    "huge_content_length": ("hugelength", ["er for stort", "oppgir 2 048 MB"], REQUEST_SECONDS),
    "cross_host_redirect": ("redirect", ["annen vert (localhost:", "følges ikke", "NOKKELTALL_SSB_API"], 1.0),
    "mixed_type_index": ("mixedindex", ["ikke er gyldig JSON-stat", "posisjoner som ikke er heltall"], 1.0),
    "deep_json": ("deep", ["ikke er JSON-stat", "nestet for dypt"], 1.0),
    "all_values_missing": ("allmissing", ["SSB sendte ingen tall for tabell 06913", "ikke en oppdatering"], 1.0),
    "connection_refused": (None, ["Ingen nettforbindelse", "fikk ikke kontakt med 127.0.0.1"], 1.0),
    "name_not_found": ("http://nokkeltall-test.invalid/api", ["Ingen nettforbindelse", "navneoppslaget"], 1.0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_refresh_against_a_hostile_server_fails_clearly_on_time(case, hostile, data_dir, tmp_path):
    mode, fragments, seconds = CASES[case]
    if mode is None:
        api = f"http://127.0.0.1:{closed_port()}/api"
    elif mode.startswith("http"):
        api = mode
    else:
        api = hostile.base_url(mode)
    before = file_bytes(data_dir / "snapshot")
    asked_valid = len([path for path in hostile.requests if path.startswith("/valid/")])
    hostile.bytes_sent.clear()

    code, stderr, wall, peak = run_refresh(api, data_dir, tmp_path)

    assert code == 1, stderr
    message = stderr.strip().splitlines()[-1]
    assert message.startswith("Feil: ") and message.endswith("Forrige datagrunnlag er beholdt."), stderr
    for fragment in fragments:
        assert fragment in message, message
    assert "Traceback" not in stderr
    assert wall <= seconds + STARTUP_SECONDS, f"{wall:.1f} s"
    assert peak < MEMORY_LIMIT, f"peak {peak / 1024**2:.0f} MB"
    assert file_bytes(data_dir / "snapshot") == before
    assert not (data_dir / "nokkeltall.duckdb").exists()  # nothing was rebuilt
    if case.startswith("trickle"):  # every byte came within a per-read timeout: only a total deadline ends it
        assert wall >= BUDGET_SECONDS - 0.5
    if case == "cross_host_redirect":  # the other host was never asked
        assert len([path for path in hostile.requests if path.startswith("/valid/")]) == asked_valid
    if case == "huge_content_length":  # refused before reading: far less sent than announced or the cap
        time.sleep(0.2)
        assert hostile.bytes_sent.get("hugelength", 0) < 8 * 1024**2


def test_the_same_server_answering_properly_refreshes(hostile, data_dir, tmp_path):
    """The harness itself: a proper answer through the same path is an update (exit 0)."""
    code, stderr, _, _ = run_refresh(hostile.base_url("valid"), data_dir, tmp_path)
    assert code == 0, stderr
    assert "06913: oppdatert" in stderr
    assert snapshot.read_manifest(data_dir / "snapshot")["datasets"]["population_changes_06913"]["updated"] == (
        "2026-01-01T07:00:00Z"
    )

