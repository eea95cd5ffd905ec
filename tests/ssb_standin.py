"""A local stand-in for SSB's PxWebApi 2.0, for tests (no internet on these machines).

Serves ``GET /tables/{id}/metadata`` and ``GET /tables/{id}/data?valueCodes[Dim]=...`` as
JSON-stat 2.0 built from pandas frames (one column per dimension with category codes, plus
``value``), keeps SSB's limits (400 above ``max_cells``, 404 for URLs above ``max_url_length``,
404 for unknown tables), logs every request, and injects faults on demand::

    with SsbStandin([table]) as server:
        server.inject("503", times=2)
        ...  # point the client at server.base_url

Faults: "429" (with Retry-After), "500", "503", "hang" (answers after ``hang_seconds``),
"truncated" (half the body, then the connection closes), "not_jsonstat" (valid JSON, not
JSON-stat), "bad_value_count" (one value fewer than the sizes say), "404".
"""

from __future__ import annotations

import fnmatch
import json
import math
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from nokkeltall import snapshot
from nokkeltall.datasets import Dataset
from nokkeltall.ssb.tables import TableSpec

FAULTS = ("429", "500", "503", "hang", "truncated", "not_jsonstat", "bad_value_count", "404")


@dataclass
class StandinTable:
    table_id: str
    frame: pd.DataFrame  # one column per dimension (codes) + "value"
    dimensions: list[str]
    title: str = ""
    updated: str = "2025-03-01T07:00:00Z"
    time_dimension: str = "Tid"

    def __post_init__(self) -> None:
        frame = self.frame.copy()
        for dimension in self.dimensions:
            frame[dimension] = frame[dimension].astype(str)
        self.categories = {d: list(pd.unique(frame[d])) for d in self.dimensions}
        self.values = frame.set_index(self.dimensions)["value"]


@dataclass
class Fault:
    kind: str
    remaining: int
    table_id: str | None
    endpoint: str | None  # "metadata", "data" or None (both)


@dataclass
class RequestRecord:
    at: float  # time.monotonic()
    path: str
    table_id: str | None
    endpoint: str | None
    url_length: int


@dataclass
class SsbStandin:
    tables: list[StandinTable]
    max_cells: int = 800_000
    max_url_length: int = 2_100
    retry_after: int = 7
    hang_seconds: float = 1.0
    requests: list[RequestRecord] = field(default_factory=list)
    served: list[dict] = field(default_factory=list)  # every JSON-stat document served whole

    def __post_init__(self) -> None:
        self._tables = {t.table_id: t for t in self.tables}
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # control ------------------------------------------------------------------------------

    def start(self) -> SsbStandin:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SsbStandin:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/pxwebapi/v2"

    def add_table(self, table: StandinTable) -> None:
        self._tables[table.table_id] = table

    def inject(self, kind: str, times: int = 1, table_id: str | None = None, endpoint: str | None = None):
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; choose from {FAULTS}")
        with self._lock:
            self._faults.append(Fault(kind, times, table_id, endpoint))

    def data_requests(self, table_id: str | None = None) -> list[RequestRecord]:
        return [r for r in self.requests if r.endpoint == "data" and table_id in (None, r.table_id)]

    def _take_fault(self, table_id: str | None, endpoint: str | None) -> str | None:
        with self._lock:
            for fault in self._faults:
                if (
                    fault.remaining > 0
                    and fault.table_id in (None, table_id)
                    and fault.endpoint in (None, endpoint)
                ):
                    fault.remaining -= 1
                    return fault.kind
        return None

    # answering ----------------------------------------------------------------------------

    def answer(self, path_and_query: str) -> tuple[int, dict, dict | None, str | None]:
        """(status, headers, JSON document or None, fault kind or None) for one GET."""
        parts = urlsplit(path_and_query)
        segments = [s for s in parts.path.split("/") if s]
        table_id = endpoint = None
        if len(segments) >= 2 and segments[-3:-2] == ["tables"]:
            table_id, endpoint = segments[-2], segments[-1]
        with self._lock:
            self.requests.append(
                RequestRecord(time.monotonic(), parts.path, table_id, endpoint, len(path_and_query))
            )
        fault = self._take_fault(table_id, endpoint)
        if fault in ("429", "500", "503"):
            headers = {"Retry-After": str(self.retry_after)} if fault == "429" else {}
            return int(fault), headers, {"error": f"stand-in fault {fault}"}, None
        if fault == "404" or table_id not in self._tables or endpoint not in ("metadata", "data"):
            return 404, {}, {"error": "Not found"}, None
        if len(path_and_query) > self.max_url_length:
            return 404, {}, {"error": "URL too long"}, None
        table = self._tables[table_id]
        if endpoint == "metadata":
            document = metadata_document(table)
        else:
            status, document = self._data(table, parse_qs(parts.query))
            if status != 200:
                return status, {}, document, None
        if fault == "not_jsonstat":
            return 200, {}, {"tables": [], "note": "valid JSON, but not JSON-stat"}, None
        if fault == "bad_value_count":
            broken = dict(document, value=document["value"][:-1])
            return 200, {}, broken, None
        with self._lock:
            self.served.append(document)
        return 200, {}, document, fault

    def _data(self, table: StandinTable, query: dict[str, list[str]]) -> tuple[int, dict]:
        selection = {}
        for dimension in table.dimensions:
            expression = query.get(f"valueCodes[{dimension}]")
            if not expression:
                return 400, {"error": f"Missing selection for {dimension}"}
            codes = _select(table.categories[dimension], expression[0])
            if codes is None:
                return 400, {"error": f"Non-existent value for {dimension}"}
            selection[dimension] = codes
        unknown = [k for k in query if k.startswith("valueCodes[") and k[11:-1] not in table.dimensions]
        if unknown:
            return 400, {"error": f"Non-existent variable {unknown}"}
        if math.prod(len(c) for c in selection.values()) > self.max_cells:
            return 400, {"error": "Too many cells selected"}
        return 200, data_document(table, selection)


def _select(categories: list[str], expression: str) -> list[str] | None:
    """Codes matching a comma-separated list of codes, ``*`` wildcards and ``?`` masks."""
    chosen = set()
    for term in expression.split(","):
        if "*" in term or "?" in term:
            chosen.update(c for c in categories if fnmatch.fnmatchcase(c, term))
        elif term in categories:
            chosen.add(term)
        else:
            return None
    return [c for c in categories if c in chosen]  # the table's order, like SSB


def _dimension(table: StandinTable, dimension: str, codes: list[str]) -> dict:
    return {
        "label": dimension.lower(),
        "category": {
            "index": {code: position for position, code in enumerate(codes)},
            "label": {code: code for code in codes},
        },
    }


def _skeleton(table: StandinTable, selection: dict[str, list[str]]) -> dict:
    roles = {"time": [table.time_dimension]} if table.time_dimension in table.dimensions else {}
    if "ContentsCode" in table.dimensions:
        roles["metric"] = ["ContentsCode"]
    return {
        "version": "2.0",
        "class": "dataset",
        "label": f"{table.table_id}: {table.title or 'stand-in'}",
        "source": "Statistisk sentralbyrå",
        "updated": table.updated,
        "id": list(table.dimensions),
        "size": [len(selection[d]) for d in table.dimensions],
        "role": roles,
        "dimension": {d: _dimension(table, d, selection[d]) for d in table.dimensions},
        "extension": {"px": {"tableid": table.table_id}},
    }


def metadata_document(table: StandinTable) -> dict:
    return {**_skeleton(table, table.categories), "value": []}


def data_document(table: StandinTable, selection: dict[str, list[str]]) -> dict:
    cells = pd.MultiIndex.from_product([selection[d] for d in table.dimensions], names=table.dimensions)
    values = table.values.reindex(cells)
    return {**_skeleton(table, selection), "value": [_json_number(v) for v in values]}


def _json_number(value) -> int | float | None:
    if value is None or pd.isna(value):
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def _handler_for(standin: SsbStandin):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms stalls)

        def do_GET(self) -> None:  # http.server's naming
            status, headers, document, fault = standin.answer(self.path)
            body = json.dumps(document, ensure_ascii=False).encode("utf-8")
            if fault == "hang":
                time.sleep(standin.hang_seconds)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                if fault == "truncated":
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (timeout)

        def log_message(self, *args) -> None:
            pass

    return Handler


# --- tidy Dataset frame → the table SSB would publish (inverse of nokkeltall.ssb.normalise) --


def ssb_frame_from_dataset(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The SSB-shaped frame (dimension codes + value) that normalises back to ``frame``."""
    column_of = {role: dimension for dimension, role in spec.roles.items()}
    if spec.kind == "observations":
        code_of = {measure: code for code, measure in spec.measures.items()}
        out = pd.DataFrame(
            {
                column_of["region_code"]: frame["region_code"].astype(str),
                "ContentsCode": frame["measure"].map(code_of),
                column_of["year"]: frame["year"].astype(str),
                "value": frame["value"],
            }
        )
    elif spec.kind == "population_age_sex":
        parts = frame[frame["sex"] != "total"]
        out = pd.DataFrame(
            {
                column_of["region_code"]: parts["region_code"].astype(str),
                column_of["sex"]: parts["sex"].map({"male": "1", "female": "2"}),
                column_of["age"]: parts["age"].map(lambda a: "105+" if a == 105 else f"{a:03d}"),
                "ContentsCode": "Personer1",
                column_of["year"]: parts["year"].astype(str),
                "value": parts["persons"],
            }
        )
    elif spec.kind == "commuting_flows":
        out = pd.DataFrame(
            {
                column_of["work_region_code"]: frame["work_region_code"].astype(str),
                column_of["home_region_code"]: frame["home_region_code"].astype(str),
                "ContentsCode": "Sysselsatte",
                column_of["year"]: frame["year"].astype(str),
                "value": frame["employed_persons"],
            }
        )
    else:
        raise ValueError(f"no stand-in shape for kind {spec.kind!r}")
    for dimension in spec.sum_over:  # one category each: summing it away changes nothing
        out[dimension] = "0"
    return out.loc[:, [*spec.dimensions, "value"]].reset_index(drop=True)


def standin_table_for(
    spec: TableSpec, frame: pd.DataFrame, updated: str = "2025-03-01T07:00:00Z"
) -> StandinTable:
    return StandinTable(
        table_id=spec.table_id,
        frame=ssb_frame_from_dataset(spec, frame),
        dimensions=list(spec.dimensions),
        title=spec.title,
        updated=updated,
    )


class FakeClock:
    """A clock whose ``sleep`` only moves time forward (tests never really wait)."""

    def __init__(self, start: float = 1_000.0):
        self.time = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += max(0.0, seconds)


def write_previous_snapshot(directory: Path, current: pd.DataFrame) -> None:
    """A snapshot as a refresh finds it: 06913 figures one higher than ``current`` (so that a refresh
    visibly replaces them) and an unrelated dataset a refresh must keep."""
    old = current.assign(value=lambda f: f["value"] + 1)
    snapshot.write_datasets(
        [
            Dataset(
                "population_changes_06913",
                "observations",
                old,
                "06913",
                "old",
                "old.csv",
                updated="2024-03-01",
            ),
            Dataset("other", "observations", old.head(3), "99999", "other", "other.csv"),
        ],
        directory,
    )
