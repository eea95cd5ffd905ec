"""Centrality, KOSTRA groups and BA regions: nokkeltall.sources.regions."""

from __future__ import annotations

import pandas as pd
import pytest
from source_files import parse, value, write_workbook

from nokkeltall.sources import regions as region_layouts


def test_centrality_and_kostra_groups(tmp_path):
    centrality = parse(
        tmp_path,
        "c.csv",
        "kom2024,sent_klasse,sent_indeks,sent_navn,sent_gammel_0_3,gammel_konflikt\r\n"
        "1835,6,323,Sentralitet: 6 (0-564) - lav,0,False\r\n",
    )
    assert value(centrality["centrality_index_klass128_2024"], "1835", 2024, "centrality_index") == 323
    attributes = centrality["centrality_class_klass128_2024"].frame
    assert attributes.loc[attributes["attribute"] == "centrality_class", "value"].item() == "6"

    groups = parse(
        tmp_path,
        "g.csv",
        "kommunenummer,kommunenavn,fylkesnummer,fylkesnavn,sentralitet,kostragruppe_kode,"
        "kostragruppe\n1835,Træna,18,Nordland,6,EKG16,KOSTRA-gruppe 16\n",
    )["kostra_groups_2024"]
    frame = groups.frame
    assert frame.loc[frame["attribute"] == "kostra_group", "value"].item() == "EKG16"
    assert set(frame["as_of"]) == {"2024"}


def test_ba_regions_correct_rindal(tmp_path):
    content = write_workbook(
        tmp_path / "src.xlsx",
        {
            "Etter kommune": [
                region_layouts.BA_HEADER,
                ("1835 Træna", "116 Træna", 5.87, 75.43, 75.43, "Restkommune, egen BA-region"),
                ("1567 Rindal", "86 Surnadal", 30.87, 16.49, 5.34, "Utpendling > 8"),
                ("1834 Lurøy", "115 Lurøy", None, 30.0, 10.0, "Utpendling > 8"),
            ],
            "Etter BA-region": [("BA-nr", "BA-regionnavn"), (116, "Træna")],
        },
    )
    datasets = parse(tmp_path, "ssb_ba_regioner_2024.xlsx", content)
    attributes = datasets["ba_regions_2024"].frame
    regions = dict(
        zip(
            attributes.loc[attributes["attribute"] == "ba_region", "region_code"],
            attributes.loc[attributes["attribute"] == "ba_region", "value"],
            strict=True,
        )
    )
    assert regions == {"1835": "116 Træna", "5061": "86 Surnadal", "1834": "115 Lurøy"}
    commuting = datasets["ba_region_commuting_2024"]
    assert value(commuting, "1835", 2024, "ba_out_commuting_pct") == pytest.approx(75.43)
    assert pd.isna(value(commuting, "1834", 2024, "ba_travel_time_to_centre_min"))
    assert "1567" in datasets["ba_regions_2024"].caveat


def test_kostra_group_descriptions(tmp_path):
    content = write_workbook(
        tmp_path / "src.xlsx",
        {
            "Ark1": [
                region_layouts.KOSTRA_DESCRIPTION_HEADER,
                ("KOSTRA-gruppe 1", "2 000 - 9 999", "Lave", "Lave", 39),
                ("KOSTRA-gruppe 16", "0 - 599", "Middels", "Lave, middels eller høye", 8),
            ]
        },
    )
    frame = parse(tmp_path, "b.xlsx", content)["kostra_group_descriptions"].frame
    assert frame["group_code"].tolist() == ["EKG01", "EKG16"]
    assert frame["municipality_count"].tolist() == [39, 8]
