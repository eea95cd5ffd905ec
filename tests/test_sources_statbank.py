"""SSB JSON-stat series (01222, 07182, 11694, 06096): nokkeltall.sources.statbank."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from source_files import matching, parse, parse_first, value

from nokkeltall.sources import SourceFile


def ssb_v1_bundle(
    table: str,
    label: str,
    contents: dict,
    regions: dict,
    times: list[str],
    values: list,
    status: dict | None = None,
    contents_dim: str = "ContentsCode",
) -> dict:
    """An SSB API v0 response (JSON-stat 1.x bundle), Region × Tid × contents."""
    dataset = {
        "dimension": {
            "Region": {
                "label": "region",
                "category": {"index": {c: i for i, c in enumerate(regions)}, "label": regions},
            },
            "Tid": {"label": "time", "category": {"index": {t: i for i, t in enumerate(times)}}},
            contents_dim: {
                "label": "contents",
                "category": {"index": {c: i for i, c in enumerate(contents)}, "label": contents},
            },
            "id": ["Region", "Tid", contents_dim],
            "size": [len(regions), len(times), len(contents)],
            "role": {"geo": ["Region"], "time": ["Tid"], "metric": [contents_dim]},
        },
        "label": f"{table}: {label}",
        "source": "Statistics Norway",
        "updated": "2025-05-21T06:00:00Z",
        "value": values,
    }
    if status:
        dataset["status"] = status
    return {"dataset": dataset}


def test_quarterly_01222_drops_unused_and_non_municipal_codes(tmp_path):
    contents = {"Folketallet1": "start", "Fodte2": "births", "Folketallet11": "end"}
    regions = {
        "1835": "Træna",
        "3101": "Halden",
        "1805": "Narvik (-2019)",
        "2111": "Longyearbyen",
        "18": "Nordland",
    }
    values = [
        444,
        4,
        445,
        445,
        2,
        446,  # Træna K1, K2
        0,
        0,
        0,
        30000,
        60,
        30010,  # Halden: not in use in 2023K1
        0,
        0,
        0,
        0,
        0,
        0,  # old Narvik
        2000,
        5,
        2001,
        2001,
        3,
        2002,  # Svalbard
        240000,
        500,
        240100,
        240100,
        400,
        240200,
    ]  # county
    doc = ssb_v1_bundle(
        "01222", "Population and changes during the quarter", contents, regions, ["2023K1", "2023K2"], values
    )
    dataset = parse(tmp_path, "q.json", json.dumps(doc))["population_changes_quarterly_01222_2023q1_2023q2"]
    assert value(dataset, "1835", 2023, "births_q1") == 4
    assert value(dataset, "1835", 2023, "population_end_of_quarter_q2") == 446
    assert value(dataset, "3101", 2023, "births_q2") == 60
    assert not ((dataset.frame["region_code"] == "3101") & (dataset.frame["measure"] == "births_q1")).any()
    assert set(dataset.frame["region_code"]) == {"1835", "3101"}
    assert dataset.updated == "2025-05-21T06:00:00Z" and dataset.table_id == "01222"


def test_households_07182_status_and_label_validity(tmp_path):
    contents = {"Hushold": "Number of households", "Inntekt1": "below 150 000"}
    regions = {"1739": "Røyrvik (-2017)", "5043": "Røyrvik", "1835": "Træna"}
    values = [
        211,
        10,
        209,
        12,  # 1739 2017, 2018 (2018 outside label range)
        None,
        None,
        209,
        12,  # 5043 2017 '.', 2018
        186,
        None,
        232,
        9,
    ]  # Træna; Inntekt1 2017 '..'
    status = {"4": ".", "5": ".", "9": ".."}
    doc = ssb_v1_bundle("07182", "Households", contents, regions, ["2017", "2018"], values, status)
    dataset = parse(tmp_path, "h.json", json.dumps(doc))["households_income_07182_2017_2018"]
    frame = dataset.frame
    assert value(dataset, "1739", 2017, "households_total") == 211
    assert not ((frame["region_code"] == "1739") & (frame["year"] == 2018)).any()
    assert not ((frame["region_code"] == "5043") & (frame["year"] == 2017)).any()
    assert pd.isna(value(dataset, "1835", 2017, "households_income_after_tax_below_150k_pct"))


def test_holiday_property_11694_keeps_genuine_zeros(tmp_path):
    contents = {"Omsetninger": "Transfers, total", "Kjopesum": "Total purchase price (NOK 1000)"}
    regions = {"5044": "Namsskogan", "3001": "Halden (2020-2023)"}
    values = [6, 4495, 0, 0, None, None, 53, 120153, 40, 9000, 0, 0]
    doc = ssb_v1_bundle(
        "11694", "Transfers", contents, regions, ["2020", "2021", "2024"], values, {"4": ":", "5": ":"}
    )
    dataset = parse(tmp_path, "f.json", json.dumps(doc))["holiday_property_transfers_11694_2020_2024"]
    assert value(dataset, "5044", 2021, "holiday_property_transfers") == 0
    assert pd.isna(value(dataset, "5044", 2024, "holiday_property_transfers"))
    assert not ((dataset.frame["region_code"] == "3001") & (dataset.frame["year"] == 2024)).any()


def test_cohabitation_06096(tmp_path):
    contents = {"01": "married", "02": "cohabitants", "03": "not in couples"}
    regions = {"1835": "Træna", "3001": "Halden (2020-2023)"}
    doc = ssb_v1_bundle(
        "06096",
        "Persons 18 years and over",
        contents,
        regions,
        ["2024"],
        [35.2, 15.7, 49.1, 0, 0, 0],
        contents_dim="Samlivsform",
    )
    dataset = parse(tmp_path, "c.json", json.dumps(doc))["cohabitation_06096_2024_2024"]
    assert value(dataset, "1835", 2024, "married_share_18plus_pct") == pytest.approx(35.2)
    assert set(dataset.frame["region_code"]) == {"1835"}


def test_unknown_jsonstat_table_and_broken_json_are_not_claimed(tmp_path):
    doc = ssb_v1_bundle("99999", "Something else", {"A": "a"}, {"1835": "Træna"}, ["2024"], [1])
    for name, content in [("u.json", json.dumps(doc)), ("b.json", '{"dataset": {"dimension": ')]:
        path = tmp_path / name
        path.write_text(content)
        assert matching(SourceFile(path, path.read_bytes())) == []


def test_jsonstat_with_bad_value_count_fails(tmp_path):
    doc = ssb_v1_bundle(
        "06096", "Persons", {"01": "m"}, {"1835": "Træna"}, ["2024"], [1, 2], contents_dim="Samlivsform"
    )
    with pytest.raises(ValueError, match="verdier"):
        parse_first(tmp_path, "bad.json", json.dumps(doc))
