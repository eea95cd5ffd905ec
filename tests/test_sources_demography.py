"""Population components (06913) and county projections (14288): nokkeltall.sources.demography."""

from __future__ import annotations

import pytest
from source_files import parse, parse_first, value


def test_components_06913(tmp_path):
    text = (
        "kode,variabel,aar,verdi\r\n1835,Folkemengde,2024,442\r\n1835,Fodselsoverskudd,2024,-1\r\n"
        "1835,Nettoinnflytting,2024,22\r\n1567,Folkemengde,2018,2039\r\n"
    )
    dataset = parse(tmp_path, "x.csv", text)["population_changes_06913_2018_2024"]
    assert value(dataset, "1835", 2024, "natural_increase") == -1
    assert value(dataset, "1835", 2024, "net_migration") == 22
    assert value(dataset, "1567", 2018, "population_06913") == 2039  # kept on its own number


def test_components_unknown_variable_fails(tmp_path):
    with pytest.raises(ValueError, match="Fodte"):
        parse_first(tmp_path, "x.csv", "kode,variabel,aar,verdi\n1835,Fodte,2024,3\n")


def test_projections_14288(tmp_path):
    text = (
        "Tid,Nordland - Nordlánnda_Hovedalternativet (MMMM),Nordland - Nordlánnda_Høy nasjonal vekst (HHMH),"
        "Oslo_Lav nasjonal vekst (LLML)\n2024,243081,243081,717710\n2025,244372,245465,719859\n"
    )
    dataset = parse(tmp_path, "f.csv", text)["population_projections_14288_counties_2024_2025"]
    frame = dataset.frame
    row = frame[
        (frame["county_code"] == "18")
        & (frame["year"] == 2025)
        & (frame["measure"] == "projected_population_hhmh")
    ]
    assert row["value"].item() == 245465
    assert set(frame["county_code"]) == {"18", "03"}
