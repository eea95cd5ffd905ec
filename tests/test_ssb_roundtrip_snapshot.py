"""Round trip against the shipped snapshot: serve its SSB datasets from the stand-in, refresh,
and get exactly the same figures back (whole datasets up to 50,000 rows; larger ones for a
sample of municipalities, to stay fast).

Only datasets in a shape the API also gives take part (files without the split by sex, or figures
re-coded to 2024 borders, are left out when the cases are collected); a test checks that enough do.
"""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest
from ssb_standin import FakeClock, SsbStandin, standin_table_for

from nokkeltall import config, snapshot
from nokkeltall.ssb.client import PxWebClient, ResponseCache
from nokkeltall.ssb.refresh import refresh
from nokkeltall.ssb.tables import TABLES, TableSpec

SAMPLE_REGIONS = {"1835", "1836", "1739", "5043", "1838", "5001", "1804"}


def servable(entry: dict, frame: pd.DataFrame | dict[str, list], spec: TableSpec) -> bool:
    if entry["kind"] != spec.kind or (entry.get("extra") or {}).get("borders"):
        return False
    if spec.kind == "observations":
        return set(frame["measure"]) <= set(spec.measures.values())
    if spec.kind == "population_age_sex":
        return {"female", "male"} <= set(frame["sex"])
    return True


def sample(frame: pd.DataFrame) -> pd.DataFrame:
    """Small datasets whole; large ones for a few municipalities."""
    out = frame
    if len(frame) > 50_000:
        region = "home_region_code" if "home_region_code" in frame else "region_code"
        out = out[out[region].isin(SAMPLE_REGIONS)]
        if "work_region_code" in out:
            out = out[out["work_region_code"].isin(SAMPLE_REGIONS)]
    if "value" in out:
        out = out[out["value"].notna()]  # a missing figure is no cell in the API's answer
    return out.sort_values(list(out.columns[:-1])).reset_index(drop=True)


def _distinct_values(entry: dict) -> dict[str, list]:
    """The distinct values of the columns ``servable`` reads: enough to choose the cases when collecting,
    in every worker, without reading every dataset whole (the test itself reads its dataset)."""
    path = config.snapshot_dir() / entry["file"]
    present = [column for column in ("measure", "sex") if column in pq.read_schema(path).names]
    table = pq.read_table(path, columns=present)
    return {column: table.column(column).unique().to_pylist() for column in present}


def shipped_cases() -> list[tuple[str, TableSpec]]:
    try:
        datasets = snapshot.read_manifest(config.snapshot_dir())["datasets"]
    except snapshot.SnapshotError:
        return []
    cases = []
    for name, entry in datasets.items():
        spec = TABLES.get(entry.get("table_id"))
        if spec and servable(entry, _distinct_values(entry), spec):
            cases.append((name, spec))
    return cases


CASES = shipped_cases()


def test_the_round_trip_covers_the_tables_the_snapshot_has():
    tables = {spec.table_id for _, spec in CASES}
    assert {"07459", "06913", "11618", "03321"} <= tables, tables


@pytest.mark.parametrize(
    "name,spec",
    [pytest.param(name, spec, id=name) for name, spec in CASES]
    or [pytest.param(None, None, marks=pytest.mark.skip(reason="no shipped SSB datasets"))],
)
def test_refresh_from_the_standin_reproduces_the_shipped_figures(name, spec, tmp_path):
    entry = snapshot.read_manifest(config.snapshot_dir())["datasets"][name]
    shipped = snapshot.load_dataset(name, config.snapshot_dir())
    assert servable(entry, shipped, spec)
    expected = sample(shipped)
    if expected.empty:
        pytest.skip(f"{name}: none of the sample municipalities")

    clock = FakeClock()
    with SsbStandin([standin_table_for(spec, expected, updated="2099-01-01T00:00:00Z")]) as server:
        client = PxWebClient(
            server.base_url,
            timeout=5,
            clock=clock.now,
            sleep=clock.sleep,
            cache=ResponseCache(tmp_path / "cache", max_age=0),
        )
        refresh([spec.table_id], client=client, snapshot_directory=tmp_path / "snapshot")

    got = sample(snapshot.load_dataset(spec.dataset_name, tmp_path / "snapshot"))
    if spec.kind == "population_age_sex":
        assert_totals_are_sums(got)
        got = sample(got[got["sex"].isin(set(expected["sex"]))])  # files by sex carry no totals
    pd.testing.assert_frame_equal(got, expected)


def assert_totals_are_sums(frame: pd.DataFrame) -> None:
    wide = frame.pivot_table(
        index=["region_code", "year", "age"], columns="sex", values="persons", aggfunc="sum"
    )
    assert (wide["total"] == wide["female"] + wide["male"]).all()
