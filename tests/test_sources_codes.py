"""Municipality numbers and their changes (KLASS 131 and mappings): nokkeltall.sources.codes."""

from __future__ import annotations

import json

import pytest
from source_files import parse, parse_first

from nokkeltall.sources import UnknownLayoutError


def test_klass_code_list_latin1(tmp_path):
    text = (
        '"code";"parentCode";"level";"name";"shortName";"notes";"validFrom";"validTo"\n'
        '"1835";"";"1";"Træna";;""\n"5043";"";"1";"Raarvihke - Røyrvik";;"Note"\n'
        '"9999";"";"1";"Uoppgitt";;""\n'
    )
    dataset = parse(tmp_path, "klass131_kommuner_2019.csv", text, encoding="latin-1")[
        "klass131_code_list_2019"
    ]
    assert dataset.frame["code"].tolist() == ["1835", "5043", "9999"]
    assert dataset.frame["name"][0] == "Træna" and set(dataset.frame["version_year"]) == {2019}


def test_klass_code_list_needs_year_in_name(tmp_path):
    text = (
        '"code";"parentCode";"level";"name";"shortName";"notes";"validFrom";"validTo"\n'
        '"1835";"";"1";"T";;""\n'
    )
    with pytest.raises(UnknownLayoutError, match="årgang"):
        parse_first(tmp_path, "kodeliste.csv", text)


def test_klass_change_list_with_split_flag(tmp_path):
    nbsp = "\xa0"
    text = (
        "kommuner_2019;kommuner_2020;splittes\r\n"
        f"1850{nbsp}-{nbsp}Tysfjord - Divtasvuodna;1806{nbsp}-{nbsp}Narvik;1\r\n"
        f"1850{nbsp}-{nbsp}Tysfjord - Divtasvuodna;1875{nbsp}-{nbsp}Hábmer - Hamarøy;1\r\n"
        f"1567{nbsp}-{nbsp}Rindal;5061{nbsp}-{nbsp}Rindal;0\r\n"
    )
    frame = parse(tmp_path, "e.csv", text, encoding="latin-1")["klass131_changes_2019_2020"].frame
    assert frame["old_code"].tolist() == ["1850", "1850", "1567"]
    assert frame["old_name"][0] == "Tysfjord - Divtasvuodna" and frame["new_name"][1] == "Hábmer - Hamarøy"
    assert frame["split"].tolist() == [True, True, False]
    assert set(frame["change_year"]) == {2020}


def test_klass_change_list_without_flag_derives_split(tmp_path):
    frame = parse(
        tmp_path,
        "e.csv",
        "kommuner_2013;kommuner_2017\r\n0706 - Sandefjord;0710 - Sandefjord\r\n"
        "0719 - Andebu;0710 - Sandefjord\r\n",
        encoding="latin-1",
    )["klass131_changes_2013_2017"].frame
    assert frame["split"].tolist() == [False, False]


def test_wide_and_long_mappings(tmp_path):
    header = (
        '"kommunenummer_2013";"kommunenavn_2013";"kommunenummer_2017";"kommunenavn_2017";"endringsmerknad_13_17";'
        '"kommunenummer_2018";"kommunenavn_2018";"endringsmerknad_17_18";"kommunenummer_2019";"kommunenavn_2019";'
        '"endringsmerknad_18_19";"kommunenummer_2020";"kommunenavn_2020";"endringsmerknad_19_20"\r\n'
    )
    row = (
        '"1567";"Rindal";"1567";"Rindal";"uendret";"1567";"Rindal";"uendret";"5061";"Rindal";'
        '"kun endret nummer fra 2018 til 2019";"5061";"Rindal";"uendret"\r\n'
    )
    wide = parse(tmp_path, "w.csv", header + row, encoding="latin-1")[
        "code_changes_gardenberg_wide_2013_2020"
    ].frame
    assert wide[["change_year", "old_code", "new_code"]].values.tolist() == [[2019, "1567", "5061"]]

    long_text = (
        '"kommunenummer_2020";"kommunenavn_2020";"historisk_nummer"\r\n"5056";"Hitra";"1613"\r\n'
        '"5059";"Orkland";"1613"\r\n"1835";"Træna";"1835"\r\n'
    )
    long = parse(tmp_path, "l.csv", long_text, encoding="latin-1")[
        "code_changes_gardenberg_long_2013_2020"
    ].frame
    assert long["old_code"].tolist() == ["1613", "1613"] and long["split"].all()


def test_municipality_table_utf8_bom(tmp_path):
    header = (
        "\ufeffKommuner 2023;Kommunenr 2023;Kommunenavn 2023;Kommuner 2024;Kommunenr 2024;Kommunenavn 2024;"
        "Fylke 2023;Fylkesnr 2023\n"
    )
    rows = (
        "0000 - Hele landet;0000;Hele landet;0000 - Hele landet;0000;Hele landet;00;00\n"
        "1507 - Ålesund;1507;Ålesund;1508 - Ålesund;1508;Ålesund;15;15\n"
        "1507 - Ålesund;1507;Ålesund;1580 - Haram;1580;Haram;15;15\n"
        "1835 - Træna;1835;Træna;1835 - Træna;1835;Træna;18;18\n"
    )
    frame = parse(tmp_path, "t.csv", header + rows)["code_changes_evensrii_2023_2024"].frame
    assert frame["new_code"].tolist() == ["1508", "1580"] and frame["split"].all()


def test_code_history_json(tmp_path):
    doc = {
        "kilde": "SSB",
        "konvensjon": "newCode → old",
        "endringer": {"1508": {"name": "Ålesund", "oldCodes": [{"code": "1507", "validTo": "2024-01-01"}]}},
    }
    frame = parse(tmp_path, "h.json", json.dumps(doc))["code_changes_klass131_kommunebarometer_2024"].frame
    assert frame.iloc[0][["change_year", "old_code", "new_code"]].tolist() == [2024, "1507", "1508"]
