"""Employment (11618) and commuting flows (03321): nokkeltall.sources.commuting."""

from __future__ import annotations

import pandas as pd
import pytest
from source_files import parse, parse_first, value


def test_employment_11618(tmp_path):
    datasets = parse(
        tmp_path,
        "a.csv",
        "ar,kommunenummer,BefolkningBosted,SysselBosted,SysselArbsted\n"
        "2022,1835,362,238,217\n2022,301,100,,..\n2022,2111,5,5,5\n",
    )
    dataset = datasets["employment_11618_2022_2022"]
    assert dataset.kind == "observations" and dataset.table_id == "11618"
    assert value(dataset, "1835", 2022, "population_15_74") == 362
    assert value(dataset, "1835", 2022, "employed_residents_15_74") == 238
    assert value(dataset, "1835", 2022, "employed_workplace_15_74") == 217
    assert pd.isna(value(dataset, "0301", 2022, "employed_residents_15_74"))
    assert pd.isna(value(dataset, "0301", 2022, "employed_workplace_15_74"))
    assert "2111" not in set(dataset.frame["region_code"])


def test_employment_garbled_number_fails_clearly(tmp_path):
    text = "ar,kommunenummer,BefolkningBosted,SysselBosted,SysselArbsted\n2022,1835,3x2,1,1\n"
    with pytest.raises(ValueError, match="3x2"):
        parse_first(tmp_path, "a.csv", text)


def test_commuting_03321(tmp_path):
    dataset = parse(
        tmp_path,
        "p.csv",
        "ar,bostedskommune,arbeidsstedskommune,sysselsatte\n"
        "2022,1835,1835,200\n2022,1835,1834,10\n2022,1835,2111,3\n",
    )["commuting_03321_2022_2022"]
    frame = dataset.frame
    assert len(frame) == 2
    assert frame.loc[frame["work_region_code"] == "1834", "employed_persons"].item() == 10
