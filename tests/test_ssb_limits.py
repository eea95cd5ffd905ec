"""SSB's limits: no query above the cell or URL limit, never more than 30 requests per 60 s."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import requests
from ssb_standin import FakeClock, SsbStandin, standin_table_for

from nokkeltall import snapshot
from nokkeltall.datasets import conform
from nokkeltall.ssb.client import (
    PxWebClient,
    ResponseCache,
    SlidingWindowRateLimiter,
    cell_count,
    split_selection,
)
from nokkeltall.ssb.refresh import refresh
from nokkeltall.ssb.tables import TABLES

SPEC = TABLES["06913"]


def many_municipalities(count: int = 400, years: range = range(2005, 2025)) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    regions = [f"{1000 + i}" for i in range(count)]
    index = pd.MultiIndex.from_product(
        [regions, list(years), ["natural_increase", "net_migration", "population_06913"]],
        names=["region_code", "year", "measure"],
    )
    frame = index.to_frame(index=False).assign(value=rng.integers(-50, 5000, len(index)).astype(float))
    return conform(frame, "observations")


def most_in_any_window(times: list[float], window: float = 60.0) -> int:
    times = sorted(times)
    return max((sum(1 for t in times if start <= t < start + window) for start in times), default=0)


class RecordingSession(requests.Session):
    """Notes the (fake) clock time of every request actually sent."""

    def __init__(self, clock: FakeClock):
        super().__init__()
        self.clock = clock
        self.sent_at: list[float] = []

    def get(self, *args, **kwargs):
        self.sent_at.append(self.clock.now())
        return super().get(*args, **kwargs)


def test_split_selection_keeps_every_part_under_the_cell_limit():
    selection = {
        "Region": [str(i) for i in range(1000)],
        "ContentsCode": ["a", "b", "c"],
        "Tid": [str(y) for y in range(50)],
    }
    parts = split_selection(selection, lambda part: cell_count(part) <= 800_000 // 20)

    assert all(cell_count(part) <= 40_000 for part in parts)
    assert sum(cell_count(part) for part in parts) == cell_count(selection)  # nothing lost, nothing twice
    cells = {
        (r, c, t) for part in parts for r in part["Region"] for c in part["ContentsCode"] for t in part["Tid"]
    }
    assert len(cells) == cell_count(selection)


def test_data_queries_keep_the_url_under_2000_characters_and_use_star_for_whole_dimensions():
    client = PxWebClient("https://data.ssb.no/api/pxwebapi/v2", cache=ResponseCache(max_age=0))
    municipalities = [f"{1000 + i}" for i in range(900)]
    all_codes = {
        "Region": ["0", "18", *municipalities],
        "ContentsCode": ["Folkemengde"],
        "Tid": [str(y) for y in range(1986, 2027)],
    }
    queries = client.data_queries("06913", {**all_codes, "Region": municipalities}, all_codes)
    urls = [client.data_url("06913", params) for params in queries]

    assert len(queries) > 1 and all(len(url) <= 2000 for url in urls)
    assert all(params["valueCodes[Tid]"] == "*" for params in queries)
    asked = [code for params in queries for code in params["valueCodes[Region]"].split(",")]
    assert sorted(asked) == municipalities


def test_refresh_splits_by_cells_and_url_and_the_server_accepts_every_query(tmp_path):
    tidy = many_municipalities()
    clock = FakeClock()
    with SsbStandin([standin_table_for(SPEC, tidy)], max_cells=5_000) as server:
        client = PxWebClient(
            server.base_url,
            timeout=2,
            max_cells=5_000,
            clock=clock.now,
            sleep=clock.sleep,
            cache=ResponseCache(tmp_path / "cache", max_age=3600),
        )
        result = refresh(["06913"], client=client, snapshot_directory=tmp_path / "snapshot")
        lengths = [len(server.base_url.split("/api")[0]) + r.url_length for r in server.data_requests()]

    assert result.outcomes[0].queries == len(lengths) >= 5
    assert max(lengths) <= 2000
    got = snapshot.load_dataset(SPEC.dataset_name, tmp_path / "snapshot")
    key = ["region_code", "year", "measure"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True), tidy.sort_values(key).reset_index(drop=True)
    )


def test_rate_limiter_never_allows_more_than_30_in_any_60_seconds():
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(30, 60.0, clock=clock.now, sleep=clock.sleep)
    granted = []
    for request in range(100):
        limiter.acquire()
        granted.append(clock.now())
        clock.time += 0.25 if request % 7 else 3.0  # uneven pace
    assert most_in_any_window(granted) == 30
    assert clock.sleeps, "the limiter had to wait"


def test_a_long_refresh_sends_at_most_30_requests_per_minute(tmp_path):
    clock = FakeClock()
    with SsbStandin([standin_table_for(SPEC, many_municipalities(40))], max_cells=30) as server:
        session = RecordingSession(clock)
        client = PxWebClient(
            server.base_url,
            session=session,
            timeout=2,
            max_cells=30,
            clock=clock.now,
            sleep=clock.sleep,
            cache=ResponseCache(tmp_path / "cache", max_age=3600),
        )
        refresh(["06913"], client=client, snapshot_directory=tmp_path / "snapshot")

    assert len(session.sent_at) > 60  # 40 × 3 × 20 cells in parts of at most 30
    assert most_in_any_window(session.sent_at) <= 30
    assert session.sent_at[-1] - session.sent_at[0] >= 60 * (len(session.sent_at) // 30 - 1)


def test_a_query_that_cannot_be_split_enough_is_refused():
    from nokkeltall.ssb.client import SsbError

    client = PxWebClient("http://127.0.0.1:9", max_url_length=40, cache=ResponseCache(max_age=0))
    with pytest.raises(SsbError, match="kan ikke deles"):
        client.data_queries("06913", {"Region": ["1835"], "Tid": ["2024", "2025"]}, {})
