"""`nokkeltall refresh` against hostile servers: bounded time, bounded memory, the snapshot intact.

A local server (127.0.0.1 only, every loop bounded) misbehaves in one way per path prefix: a
1 byte/s trickle (body, and headers), an endless chunked body, a gzip bomb, a 2 GB
Content-Length, a redirect to another host, a category index mixing types, JSON nested 100,000
deep, an answer with every value missing. No network is a closed port and a name that does not
resolve. Each case runs the real command as a child process with small budgets in the
environment and asserts: exit code 1, the Norwegian message naming the cause, no traceback,
time after its imports within the budget, the child's peak memory, and the snapshot's bytes unchanged.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import ssl
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from child_process import Finished, run_nokkeltall
from hostile_server import Hostile, gzip_bomb, tidy_frame
from ssb_standin import write_previous_snapshot

from nokkeltall import snapshot
from nokkeltall.ssb import transport
from nokkeltall.ssb.client import PxWebClient, ResponseCache, RetryPolicy, SsbError

REQUEST_SECONDS = 1.0  # NOKKELTALL_SSB_TIMEOUT for the child
BUDGET_SECONDS = 3.0  # NOKKELTALL_SSB_BUDGET for the child
MARGIN_SECONDS = 2.0  # the command's own work besides waiting (reading the snapshot, parsing), loaded machine
HARD_KILL_SECONDS = 40.0  # a child still running then has failed the test anyway
MEMORY_LIMIT = 1024**3  # 1 GB

pytestmark = pytest.mark.slow  # child processes, a server, waits by design


@pytest.fixture(scope="module")
def hostile():
    gzip_bomb()  # made once, before any child waits for it
    server = Hostile().start()
    yield server
    server.stop()


# --- the child process -----------------------------------------------------------------------


def make_data_dir(directory: Path) -> Path:
    """A previous snapshot: older 06913 figures and an unrelated dataset."""
    write_previous_snapshot(directory / "snapshot", tidy_frame())
    return directory


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return make_data_dir(tmp_path / "data")


def file_bytes(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def run_refresh(api: str, data_dir: Path, workdir: Path) -> Finished:
    """`nokkeltall refresh --table 06913` against ``api``, with the small budgets above."""
    env = {
        "NOKKELTALL_DATA_DIR": str(data_dir),
        "NOKKELTALL_SSB_API": api,
        "NOKKELTALL_SSB_TIMEOUT": str(REQUEST_SECONDS),
        "NOKKELTALL_SSB_BUDGET": str(BUDGET_SECONDS),
    }
    child = run_nokkeltall(["refresh", "--table", "06913"], env, workdir, kill_after=HARD_KILL_SECONDS)
    assert not child.killed, f"refresh still running after {HARD_KILL_SECONDS} s"
    return child


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed when the block ends: connection refused


# case: (mode or API address, expected fragments of the message, the most seconds it may take)
CASES = {
    "trickle": ("trickle", ["SSB svarte for sakte", "tabell 06913"], BUDGET_SECONDS),
    "trickle_headers": ("trickleheaders", ["SSB svarte for sakte", "tabell 06913"], BUDGET_SECONDS),
    "endless_chunked": ("chunked", ["er for stort", "større enn 16 MB"], REQUEST_SECONDS),
    "gzip_bomb": ("gzipbomb", ["er for stort", "utpakket"], REQUEST_SECONDS),
    "huge_content_length": ("hugelength", ["er for stort", "oppgir 2 048 MB"], REQUEST_SECONDS),
    "cross_host_redirect": ("redirect", ["annen vert (localhost:", "følges ikke", "NOKKELTALL_SSB_API"], 1.0),
    "mixed_type_index": ("mixedindex", ["ikke er gyldig JSON-stat", "posisjoner som ikke er heltall"], 1.0),
    "deep_json": ("deep", ["ikke er JSON-stat", "nestet for dypt"], 1.0),
    "objects_up_to_the_cap": ("manyobjects", ["ikke er JSON-stat"], 5.0),  # the most memory per byte
    "all_values_missing": (
        "allmissing",
        ["SSB sendte ingen tall for tabell 06913", "ikke en oppdatering"],
        1.0,
    ),
    "connection_refused": (None, ["Ingen nettforbindelse", "fikk ikke kontakt med 127.0.0.1"], 1.0),
    "name_not_found": (
        "http://nokkeltall-test.invalid/api",
        ["Ingen nettforbindelse", "navneoppslaget"],
        1.0,
    ),
}


@dataclass
class Outcome:
    child: Finished
    before: dict[str, str]  # the snapshot's files before
    after: dict[str, str]  # and after
    rebuilt: bool  # whether a database appeared


# cases whose child spends its budget waiting on a socket: they run beside the others (no CPU to take)
WAITING = ("trickle", "trickle_headers")


@pytest.fixture(scope="module")
def outcomes(hostile, tmp_path_factory) -> dict[str, Outcome]:
    """Every case run once, one child at a time (in parallel they slow each other past any budget), except
    the trickles: their children wait out the budget on a socket, so they run beside the others."""

    def run(case: str) -> Outcome:
        mode = CASES[case][0]
        if mode is None:
            api = f"http://127.0.0.1:{closed_port()}/api"
        else:
            api = mode if mode.startswith("http") else hostile.base_url(mode)
        workdir = tmp_path_factory.mktemp(case)
        data = make_data_dir(workdir / "data")
        before = file_bytes(data / "snapshot")
        child = run_refresh(api, data, workdir)
        return Outcome(child, before, file_bytes(data / "snapshot"), (data / "nokkeltall.duckdb").exists())

    with ThreadPoolExecutor(max_workers=len(WAITING)) as pool:
        waiting = {case: pool.submit(run, case) for case in WAITING}
        done = {case: run(case) for case in CASES if case not in WAITING}
        return {case: waiting[case].result() if case in waiting else done[case] for case in CASES}


@pytest.mark.parametrize("case", list(CASES))
def test_refresh_against_a_hostile_server_fails_clearly_on_time(case, outcomes):
    _, fragments, seconds = CASES[case]
    outcome = outcomes[case]
    child = outcome.child

    assert child.code == 1, child.stderr
    message = child.stderr.strip().splitlines()[-1]
    assert message.startswith("Feil: ") and message.endswith("Forrige datagrunnlag er beholdt."), child.stderr
    for fragment in fragments:
        assert fragment in message, message
    assert "Traceback" not in child.stderr
    assert child.work <= seconds + MARGIN_SECONDS, f"{child.work:.1f} s after the imports"
    assert 0 < child.peak < MEMORY_LIMIT, f"peak {child.peak / 1024**2:.0f} MB"
    assert outcome.after == outcome.before  # the snapshot byte for byte
    assert not outcome.rebuilt
    if case.startswith("trickle"):  # every byte came within a per-read timeout: only a total deadline ends it
        assert child.work >= REQUEST_SECONDS and f"innen {REQUEST_SECONDS:g} s" in message


def test_the_other_host_of_a_redirect_is_never_asked(hostile, outcomes):
    assert outcomes["cross_host_redirect"].child.code == 1
    assert not [path for path in hostile.requests if path.startswith("/valid/")]


def test_a_huge_content_length_is_refused_before_reading(hostile, outcomes):
    """Far less sent than the 2 GB announced, or even the 16 MB cap: the client hung up at the headers."""
    assert outcomes["huge_content_length"].child.code == 1
    time.sleep(0.2)
    assert hostile.bytes_sent.get("hugelength", 0) < 8 * 1024**2


def test_the_same_server_answering_properly_refreshes(hostile, data_dir, tmp_path):
    """The harness itself: a proper answer through the same path is an update (exit 0)."""
    child = run_refresh(hostile.base_url("valid"), data_dir, tmp_path)
    assert child.code == 0, child.stderr
    assert "06913: oppdatert" in child.stderr
    entry = snapshot.read_manifest(data_dir / "snapshot")["datasets"]["population_changes_06913"]
    assert entry["updated"] == "2026-01-01T07:00:00Z"


# --- the same bounds in-process (the client the page's «Oppdater fra SSB» uses) ----------------


def client_for(hostile: Hostile, mode: str, tmp_path: Path, **settings) -> PxWebClient:
    options = dict(
        timeout=1.0,
        retry=RetryPolicy(max_attempts=2, base_delay=0.1),
        cache=ResponseCache(tmp_path, max_age=0),
    )
    return PxWebClient(hostile.base_url(mode), **{**options, **settings})


def test_a_redirect_on_the_same_host_is_followed(hostile, tmp_path):
    document = client_for(hostile, "sameredirect", tmp_path).metadata("06913")
    assert document["id"] == ["Region", "ContentsCode", "Tid"]


def test_a_gzip_answer_is_unpacked(hostile, tmp_path):
    assert client_for(hostile, "gzipvalid", tmp_path).metadata("06913")["updated"] == "2026-01-01T07:00:00Z"


def test_the_size_cap_is_configurable(hostile, tmp_path, monkeypatch):
    monkeypatch.setenv("NOKKELTALL_SSB_MAX_MB", "0.0001")  # 104 bytes: the metadata is larger
    with pytest.raises(SsbError, match="er for stort"):
        client_for(hostile, "valid", tmp_path).metadata("06913")


def test_a_budget_bounds_retries_in_process(hostile, tmp_path):
    client = client_for(hostile, "trickle", tmp_path, retry=RetryPolicy(max_attempts=50, base_delay=0.1))
    client.start_budget(1.5)
    started = time.monotonic()
    with pytest.raises(SsbError, match="for sakte"):
        client.metadata("06913")
    assert time.monotonic() - started < 2.5


# --- over TLS, as SSB is reached: the watchdog shuts the socket under the TLS layer too --------


@pytest.fixture(scope="module")
def tls_hostile(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    directory = tmp_path_factory.mktemp("tls")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    server = Hostile()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
    server.start()
    yield server, cert
    server.stop()


def test_a_certificate_that_cannot_be_verified_is_named_and_not_retried(tls_hostile):
    server, _ = tls_hostile
    session = transport.prepare(requests.Session())
    session.trust_env = False  # the system's CA bundle, which does not know the test certificate
    url = server.base_url("valid").replace("http://", "https://") + "/tables/06913/metadata"
    with pytest.raises(transport.TransportError, match="kunne ikke bekreftes") as failure:
        transport.get(session, url, None, transport.Limits(deadline=2.0))
    assert failure.value.kind == "offline" and not failure.value.retryable


@pytest.mark.parametrize(("mode", "kind"), [("valid", None), ("trickle", "slow"), ("trickleheaders", "slow")])
def test_the_total_deadline_holds_over_tls(tls_hostile, mode, kind):
    server, cert = tls_hostile
    session = transport.prepare(requests.Session())
    session.verify, session.trust_env = str(cert), False
    url = server.base_url(mode).replace("http://", "https://") + "/tables/06913/metadata"
    started = time.monotonic()
    if kind is None:
        assert transport.get(session, url, None, transport.Limits(deadline=2.0)).status == 200
        return
    with pytest.raises(transport.TransportError) as failure:
        transport.get(session, url, None, transport.Limits(deadline=1.0))
    assert failure.value.kind == kind
    assert 1.0 <= time.monotonic() - started < 2.5
