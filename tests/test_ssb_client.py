"""The SSB client and refresh against the local stand-in server: faults, limits, cache, round trip."""

from __future__ import annotations

import hashlib
from pathlib import Path

import jsonstat_validator
import numpy as np
import pandas as pd
import pytest
from ssb_standin import FakeClock, SsbStandin, StandinTable, standin_table_for, write_previous_snapshot

from nokkeltall import jsonstat, snapshot
from nokkeltall.datasets import conform
from nokkeltall.ssb.client import PxWebClient, ResponseCache, RetryPolicy
from nokkeltall.ssb.refresh import RefreshError, refresh
from nokkeltall.ssb.tables import TABLES

SPEC_06913 = TABLES["06913"]
SPEC_07459 = TABLES["07459"]
KEPT = "Forrige datagrunnlag er beholdt."


# --- small tidy frames and the stand-in serving them -------------------------------------


def observations_06913() -> pd.DataFrame:
    rng = np.random.default_rng(6913)
    rows = []
    for region, years in {
        "1739": range(2010, 2018),
        "1835": range(2010, 2025),
        "5043": range(2018, 2025),
    }.items():
        for year in years:
            for measure in ("population_06913", "natural_increase", "net_migration"):
                rows.append((region, year, measure, float(rng.integers(-40, 600))))
    frame = pd.DataFrame(rows, columns=["region_code", "year", "measure", "value"])
    return conform(frame, "observations")


def population_07459() -> pd.DataFrame:
    rng = np.random.default_rng(7459)
    rows = []
    for region in ("1835", "5043"):
        for year in (2023, 2024):
            for sex in ("female", "male"):
                for age in range(106):
                    rows.append((region, year, sex, age, int(rng.integers(0, 9))))
    parts = pd.DataFrame(rows, columns=["region_code", "year", "sex", "age", "persons"])
    total = parts.groupby(["region_code", "year", "age"], as_index=False)["persons"].sum().assign(sex="total")
    return conform(pd.concat([total, parts]), "population_age_sex")


def table_06913(updated: str = "2025-03-01T07:00:00Z") -> StandinTable:
    table = standin_table_for(SPEC_06913, observations_06913(), updated=updated)
    # the real table also has the country, counties and figures SSB does not publish
    extra = pd.DataFrame(
        {
            "Region": ["0", "18", "1835"],
            "ContentsCode": ["Folkemengde", "Folkemengde", "Folkemengde"],
            "Tid": ["2024", "2024", "2009"],
            "value": [5_550_203.0, 243_081.0, None],
        }
    )
    return StandinTable("06913", pd.concat([table.frame, extra]), table.dimensions, table.title, updated)


@pytest.fixture
def server():
    with SsbStandin(
        [table_06913(), standin_table_for(SPEC_07459, population_07459())], hang_seconds=0.6
    ) as standin:
        yield standin


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_client(server, clock, tmp_path):
    def make(**overrides) -> PxWebClient:
        settings = dict(
            base_url=server.base_url,
            timeout=0.2,
            retry=RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=30.0, max_total_seconds=300.0),
            cache=ResponseCache(tmp_path / "cache", max_age=3600),
            clock=clock.now,
            sleep=clock.sleep,
        )
        settings.update(overrides)
        return PxWebClient(**settings)

    return make


@pytest.fixture
def snapshot_dir(tmp_path) -> Path:
    """A previous snapshot holding older 06913 figures and an unrelated dataset."""
    directory = tmp_path / "snapshot"
    write_previous_snapshot(directory, observations_06913())
    return directory


def file_hashes(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns[:-1])).reset_index(drop=True)


# --- round trip ----------------------------------------------------------------------------


def test_refresh_round_trip_reproduces_the_tidy_frames_exactly(make_client, snapshot_dir, server):
    result = refresh(["06913", "07459"], client=make_client(), snapshot_directory=snapshot_dir)

    assert result.written and [o.status for o in result.outcomes] == ["updated", "updated"]
    got_06913 = snapshot.load_dataset("population_changes_06913", snapshot_dir)
    pd.testing.assert_frame_equal(sorted_frame(got_06913), sorted_frame(observations_06913()))
    got_07459 = snapshot.load_dataset(SPEC_07459.dataset_name, snapshot_dir)
    pd.testing.assert_frame_equal(sorted_frame(got_07459), sorted_frame(population_07459()))

    manifest = snapshot.read_manifest(snapshot_dir)["datasets"]
    entry = manifest["population_changes_06913"]
    assert entry["updated"] == "2025-03-01T07:00:00Z"
    assert entry["source"].startswith(f"{server.base_url}/tables/06913/data?lang=no&outputFormat=json-stat2")
    assert "valueCodes%5BRegion%5D=" in entry["source"]
    assert entry["table_id"] == "06913" and entry["rows"] == len(observations_06913())
    assert "other" in manifest  # datasets the refresh did not touch are kept


def test_every_document_the_standin_serves_is_valid_json_stat(make_client, snapshot_dir, server):
    refresh(["06913", "07459"], client=make_client(), snapshot_directory=snapshot_dir)

    assert len(server.served) >= 4
    for document in server.served:
        assert jsonstat_validator.validate_jsonstat(document)
        if document["value"]:  # data (metadata documents carry no values)
            jsonstat.validate(document)


def test_progress_is_reported_per_table(make_client, snapshot_dir):
    events = []
    refresh(["06913", "07459"], client=make_client(), snapshot_directory=snapshot_dir, progress=events.append)

    assert [(e.table_id, e.stage) for e in events if e.stage in ("metadata", "ferdig")] == [
        ("06913", "metadata"),
        ("06913", "ferdig"),
        ("07459", "metadata"),
        ("07459", "ferdig"),
    ]
    last = events[-1]
    assert last.done == last.total >= 1


# --- nothing newer, nothing asked: manifest stamp and raw cache ---------------------------


def test_same_updated_stamp_changes_nothing(make_client, snapshot_dir):
    refresh(["06913"], client=make_client(), snapshot_directory=snapshot_dir)
    before = file_hashes(snapshot_dir)

    fresh_cache = make_client(cache=ResponseCache(snapshot_dir.parent / "other-cache", max_age=3600))
    result = refresh(["06913"], client=fresh_cache, snapshot_directory=snapshot_dir)

    assert [o.status for o in result.outcomes] == ["unchanged"] and not result.written
    assert fresh_cache.requests_sent == 1  # the metadata only; no data asked for
    assert file_hashes(snapshot_dir) == before


def test_second_refresh_within_max_age_makes_no_http_request(make_client, snapshot_dir, server):
    refresh(["06913", "07459"], client=make_client(), snapshot_directory=snapshot_dir, force=True)
    asked = len(server.requests)

    again = make_client()
    refresh(["06913", "07459"], client=again, snapshot_directory=snapshot_dir, force=True)

    assert len(server.requests) == asked and again.requests_sent == 0 and again.cache_hits > 0


def test_cache_older_than_max_age_is_not_used(make_client, snapshot_dir, server, tmp_path):
    refresh(["06913"], client=make_client(), snapshot_directory=snapshot_dir)
    stale = make_client(cache=ResponseCache(tmp_path / "cache", max_age=0))
    refresh(["06913"], client=stale, snapshot_directory=snapshot_dir, force=True)
    assert stale.requests_sent >= 2 and stale.cache_hits == 0


def test_cache_entries_record_url_query_and_time(make_client, snapshot_dir, tmp_path):
    import json

    refresh(["06913"], client=make_client(), snapshot_directory=snapshot_dir)
    entries = [json.loads(p.read_text()) for p in (tmp_path / "cache" / "06913").glob("*.json")]
    assert entries and all({"url", "query", "fetched_at", "body"} <= set(e) for e in entries)
    assert not list((tmp_path / "cache").rglob(".*"))  # no temporary files left behind


# --- faults: outcome, message, and the previous snapshot byte for byte ---------------------


def refresh_fails(make_client, snapshot_dir, tables=("06913",), **client_settings) -> str:
    before = file_hashes(snapshot_dir)
    with pytest.raises(RefreshError) as failure:
        refresh(list(tables), client=make_client(**client_settings), snapshot_directory=snapshot_dir)
    assert file_hashes(snapshot_dir) == before, "the previous snapshot must be intact"
    return str(failure.value)


@pytest.mark.parametrize("status", ["500", "503"])
def test_server_errors_are_retried_then_succeed(make_client, snapshot_dir, server, clock, status):
    server.inject(status, times=2, endpoint="data")
    result = refresh(["06913"], client=make_client(), snapshot_directory=snapshot_dir)
    assert result.outcomes[0].status == "updated"
    assert clock.sleeps[:2] == [1.0, 2.0]  # exponential backoff


@pytest.mark.parametrize("status", ["500", "503"])
def test_server_errors_give_up_after_five_attempts(make_client, snapshot_dir, server, status):
    server.inject(status, times=99, endpoint="data")
    message = refresh_fails(make_client, snapshot_dir)
    assert message == f"SSB svarte ikke for tabell 06913 etter 5 forsøk (HTTP {status}). {KEPT}"
    assert len(server.data_requests("06913")) == 5


def test_429_honours_retry_after(make_client, snapshot_dir, server, clock):
    server.retry_after = 7
    server.inject("429", times=2)
    result = refresh(["06913"], client=make_client(), snapshot_directory=snapshot_dir)
    assert result.outcomes[0].status == "updated"
    assert clock.sleeps[:2] == [7.0, 7.0]


def test_429_with_a_retry_after_beyond_the_time_budget_gives_up_at_once(make_client, snapshot_dir, server):
    server.retry_after = 3600
    server.inject("429", times=99)
    message = refresh_fails(make_client, snapshot_dir)
    assert (
        message
        == f"SSB svarte ikke for tabell 06913 etter 1 forsøk (HTTP 429, for mange forespørsler). {KEPT}"
    )


def test_total_time_is_bounded(make_client, snapshot_dir, server, clock):
    server.inject("503", times=99)
    retry = RetryPolicy(max_attempts=100, base_delay=1.0, max_delay=60.0, max_total_seconds=100.0)
    message = refresh_fails(make_client, snapshot_dir, retry=retry)
    assert "SSB svarte ikke for tabell 06913 etter" in message
    assert sum(clock.sleeps) <= 100.0


def test_a_hang_past_the_timeout_is_retried(make_client, snapshot_dir, server):
    server.inject("hang", times=1, endpoint="data")
    result = refresh(["06913"], client=make_client(), snapshot_directory=snapshot_dir)
    assert result.outcomes[0].status == "updated"


def test_hanging_every_time_gives_up_with_a_timeout_message(make_client, snapshot_dir, server):
    server.inject("hang", times=99, endpoint="metadata")
    message = refresh_fails(make_client, snapshot_dir, retry=RetryPolicy(max_attempts=3, base_delay=1.0))
    assert message == (
        "SSB svarte for sakte for tabell 06913: ikke noe fullstendig svar innen 0,2 s (etter 3 forsøk). "
        f"{KEPT}"
    )


def test_a_truncated_body_is_retried(make_client, snapshot_dir, server):
    server.inject("truncated", times=1, endpoint="data")
    result = refresh(["06913"], client=make_client(), snapshot_directory=snapshot_dir)
    assert result.outcomes[0].status == "updated"


def test_truncated_every_time_gives_up(make_client, snapshot_dir, server):
    server.inject("truncated", times=99, endpoint="data")
    message = refresh_fails(make_client, snapshot_dir)
    assert (
        message
        == f"SSB svarte ikke for tabell 06913 etter 5 forsøk (avbrutt eller ufullstendig svar). {KEPT}"
    )


def test_json_that_is_not_json_stat_is_refused_without_retry(make_client, snapshot_dir, server):
    server.inject("not_jsonstat", times=1, endpoint="data")
    message = refresh_fails(make_client, snapshot_dir)
    assert message.startswith(
        "SSB sendte et svar for tabell 06913 som ikke er gyldig JSON-stat 2.0: JSON-stat:"
    )
    assert message.endswith(KEPT)
    assert len(server.data_requests("06913")) == 1


def test_value_count_not_matching_sizes_is_refused(make_client, snapshot_dir, server):
    server.inject("bad_value_count", times=1, endpoint="data")
    message = refresh_fails(make_client, snapshot_dir)
    assert "som ikke er gyldig JSON-stat 2.0" in message and "verdier, men dimensjonene gir" in message


def test_an_invalid_answer_is_never_cached(make_client, snapshot_dir, server, tmp_path):
    server.inject("bad_value_count", times=1, endpoint="data")
    refresh_fails(make_client, snapshot_dir)
    result = refresh(["06913"], client=make_client(), snapshot_directory=snapshot_dir)
    assert result.outcomes[0].status == "updated"


def test_unknown_table_is_a_404_with_a_clear_message(make_client, snapshot_dir):
    message = refresh_fails(make_client, snapshot_dir, tables=("12134",))  # the stand-in lacks it
    assert message == f"SSB kjenner ikke tabell 12134 (HTTP 404). {KEPT}"


def test_one_failing_table_means_nothing_is_written(make_client, snapshot_dir, server):
    server.inject("503", times=99, table_id="07459")
    message = refresh_fails(make_client, snapshot_dir, tables=("06913", "07459"))
    assert "tabell 07459" in message
    assert len(server.data_requests("06913")) >= 1  # 06913 was fetched, yet not written


def test_a_table_id_outside_the_catalogue_is_refused():
    with pytest.raises(RefreshError, match="ukjent SSB-tabell '00000'"):
        refresh(["00000"])


def test_a_code_the_table_does_not_list_stops_with_a_clear_message(make_client, snapshot_dir, server):
    frame = table_06913().frame
    server.add_table(
        StandinTable(
            "06913", frame[frame["ContentsCode"] != "Nettoinnflytting"], ["Region", "ContentsCode", "Tid"]
        )
    )
    message = refresh_fails(make_client, snapshot_dir)
    assert message.startswith("Tabell 06913 hos SSB har ikke kodene Nettoinnflytting for ContentsCode")


def test_a_query_ssb_rejects_names_the_table_and_the_reason(make_client, snapshot_dir, server):
    server.max_cells = 10  # the stand-in now refuses what the client thinks is fine
    message = refresh_fails(make_client, snapshot_dir)
    assert message.startswith("SSB avviste spørringen for tabell 06913 (HTTP 400)")
    assert "Too many cells" in message and message.endswith(KEPT)


def test_default_wiring_uses_the_configured_api_and_cache(server, tmp_path, monkeypatch):
    """What `nokkeltall refresh` does: no client given, NOKKELTALL_SSB_API and the data dir decide."""
    monkeypatch.setenv("NOKKELTALL_SSB_API", server.base_url + "/")
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(tmp_path / "data"))

    result = refresh(["06913"])

    assert result.written and server.data_requests("06913")
    assert (
        snapshot.read_manifest()["datasets"]["population_changes_06913"]["updated"] == "2025-03-01T07:00:00Z"
    )
    assert list((tmp_path / "data" / "cache" / "ssb" / "06913").glob("*.json"))
