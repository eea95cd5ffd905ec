"""JSON-stat → Dataset for each kind the SSB tables become (the normaliser shared with file import)."""

from __future__ import annotations

import pandas as pd
import pytest
from ssb_standin import StandinTable, data_document

from nokkeltall.ssb.normalise import NormaliseError, dataset_from_document, dataset_from_frame
from nokkeltall.ssb.tables import TABLES


def frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=[*columns, "value"])
    out["value"] = out["value"].astype("Float64")
    return out


def test_observations_keep_municipalities_drop_missing_and_name_measures():
    spec = TABLES["06913"]
    rows = [
        ("1835", "Folkemengde", "2024", 442),
        ("1835", "Nettoinnflytting", "2024", 0),
        ("1835", "Fodselsoverskudd", "2024", None),  # «..» in SSB's table
        ("18", "Folkemengde", "2024", 243081),
        ("0", "Folkemengde", "2024", 5550203),
    ]
    dataset = dataset_from_frame(
        frame(rows, list(spec.dimensions)), spec, source="test", updated="2025-03-01"
    )

    got = dataset.frame
    assert got["region_code"].tolist() == ["1835", "1835"]
    assert dict(zip(got["measure"], got["value"], strict=True)) == {
        "population_06913": 442,
        "net_migration": 0,
    }
    assert dataset.updated == "2025-03-01" and dataset.table_id == "06913" and dataset.kind == "observations"


def test_population_total_is_the_sum_of_the_sexes_and_105_plus_is_105():
    spec = TABLES["07459"]
    rows = [
        ("1835", "1", "000", "Personer1", "2024", 3),
        ("1835", "2", "000", "Personer1", "2024", 4),
        ("1835", "1", "105+", "Personer1", "2024", 0),
        ("1835", "2", "105+", "Personer1", "2024", 1),
    ]
    got = dataset_from_frame(frame(rows, list(spec.dimensions)), spec, source="t", updated=None).frame

    persons = {(sex, age): n for sex, age, n in zip(got["sex"], got["age"], got["persons"], strict=True)}
    assert persons == {
        ("total", 0): 7,
        ("female", 0): 4,
        ("male", 0): 3,
        ("total", 105): 1,
        ("female", 105): 1,
        ("male", 105): 0,  # zeros stay as published
    }


def test_projections_are_summed_over_sex_and_age():
    spec = TABLES["14288"]
    rows = [
        ("1835", sex, age, code, "2030", value)
        for code, value in (("Personer", 10), ("Personer1", 20), ("Personer2", 5))
        for sex in ("1", "2")
        for age in ("F303", "F304")
    ]
    got = dataset_from_frame(frame(rows, list(spec.dimensions)), spec, source="t", updated=None).frame

    assert dict(zip(got["measure"], got["value"], strict=True)) == {
        "projected_population_mmmm": 40,
        "projected_population_hhmh": 80,
        "projected_population_llml": 20,
    }


def test_commuting_flows_drop_zero_flows_and_non_municipalities():
    spec = TABLES["03321"]
    rows = [
        ("1835", "1835", "Sysselsatte", "2022", 200),
        ("1834", "1835", "Sysselsatte", "2022", 10),
        ("1833", "1835", "Sysselsatte", "2022", 0),
        ("21-22", "1835", "Sysselsatte", "2022", 1),
    ]
    got = dataset_from_frame(frame(rows, list(spec.dimensions)), spec, source="t", updated=None).frame

    assert got.to_dict("records") == [
        {"year": 2022, "home_region_code": "1835", "work_region_code": "1834", "employed_persons": 10},
        {"year": 2022, "home_region_code": "1835", "work_region_code": "1835", "employed_persons": 200},
    ]


def test_an_unknown_statistics_variable_is_an_error_not_a_new_measure():
    spec = TABLES["06913"]
    rows = [("1835", "Folketilvekst", "2024", 1)]
    with pytest.raises(NormaliseError, match="ukjente statistikkvariabler"):
        dataset_from_frame(frame(rows, list(spec.dimensions)), spec, source="t", updated=None)


def test_a_saved_json_stat_file_is_recognised_by_its_table_id():
    spec = TABLES["11618"]
    table = StandinTable(
        "11618",
        frame(
            [("1835", "BefolkningBosted", "2022", 362), ("1835", "SysselBosted", "2022", 238)],
            list(spec.dimensions),
        ),
        list(spec.dimensions),
        updated="2023-06-01T06:00:00Z",
    )
    document = data_document(table, table.categories)
    dataset = dataset_from_document(document, source="11618.json")

    assert dataset.name == spec.dataset_name and dataset.updated == "2023-06-01T06:00:00Z"
    assert dict(zip(dataset.frame["measure"], dataset.frame["value"], strict=True)) == {
        "population_15_74": 362,
        "employed_residents_15_74": 238,
    }
