"""07459 layouts and the municipality lists (nokkeltall.sources.population), written to temporary
files in their real encodings and separators; plus detection on the real shared files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nokkeltall import sources
from nokkeltall.sources import SourceFile, UnknownLayoutError, parse_file, population

SHARED = Path(__file__).resolve().parents[2] / "shared"
TITLE = '"07459: Population, by region, age, contents and year"'


def write(tmp_path: Path, name: str, lines: list[str], encoding: str, newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def only(datasets):
    assert len(datasets) == 1
    return datasets[0]


def persons(frame, code, year, age, sex="total"):
    rows = frame[(frame.region_code == code) & (frame.year == year) & (frame.age == age) & (frame.sex == sex)]
    assert len(rows) == 1, (code, year, age, sex, len(rows))
    return int(rows["persons"].iloc[0])


def test_tab_latin1_one_column_per_year(tmp_path):
    lines = [
        '"region"\t"age"\t"Persons 2005"\t"Persons 2006"\t"Persons 2007"\t"Persons 2008"\t"Persons 2009"',
        '"1835 Træna"\t"0 years"\t5\t6\t7\t8\t9',
        '"1835 Træna"\t"1 year"\t4\t4\t4\t4\t4',
        '"1835 Træna"\t"105 years or older"\t0\t0\t0\t0\t1',
        '"1739 Røyrvik (-2017)"\t"0 years"\t3\t3\t3\t3\t3',
    ]
    dataset = only(parse_file(write(tmp_path, "a.csv", lines, "latin-1")))
    assert dataset.kind == "population_age_sex"
    assert dataset.name == "population_07459_2005_2009"
    assert dataset.table_id == "07459"
    frame = dataset.frame
    assert persons(frame, "1835", 2005, 0) == 5
    assert persons(frame, "1835", 2009, 1) == 4
    assert persons(frame, "1835", 2009, 105) == 1
    assert persons(frame, "1739", 2007, 0) == 3
    assert set(frame["sex"]) == {"total"}
    assert len(frame) == 4 * 5
    assert dataset.caveat is None


def test_comma_utf8_with_replacement_characters(tmp_path):
    lines = [
        "region,age,Persons 2019",
        "1835 Tr\ufffdna,0 years,4",
        "1835 Tr\ufffdna,1 year,3",
        "0122 Tr\ufffdgstad,0 years,42",
    ]
    dataset = only(parse_file(write(tmp_path, "b.csv", lines, "utf-8")))
    assert dataset.name == "population_07459_2019"
    assert persons(dataset.frame, "1835", 2019, 1) == 3
    assert persons(dataset.frame, "0122", 2019, 0) == 42
    assert "ødelagt" in dataset.caveat  # the broken names are mentioned, the codes are used


def test_tab_with_k_prefix_and_non_municipality_rows_dropped(tmp_path):
    lines = [
        '"region"\t"age"\t"Persons 2020"',
        '"K-3001 Halden"\t"0 years"\t256',
        '"K-1835 Træna"\t"105 years or older"\t0',
        '"K-21-22 Svalbard and Jan Mayen"\t"0 years"\t20',
        '"K-23 Continental shelf"\t"0 years"\t0',
        '"K-Rest Divided municalities and unknown"\t"0 years"\t0',
    ]
    frame = only(parse_file(write(tmp_path, "c.csv", lines, "latin-1"))).frame
    assert sorted(frame["region_code"]) == ["1835", "3001"]
    assert persons(frame, "3001", 2020, 0) == 256
    assert persons(frame, "1835", 2020, 105) == 0


def test_semicolon_with_two_title_lines_crlf(tmp_path):
    lines = [
        TITLE,
        "",
        '"region";"age";"Persons 2022"',
        '"K-1835 Træna";"0 years";3',
        '"K-1835 Træna";"1 year";7',
        '"K-Rest Divided municalities and unknown";"0 years";0',
    ]
    dataset = only(parse_file(write(tmp_path, "d.csv", lines, "latin-1", "\r\n")))
    assert dataset.name == "population_07459_2022"
    assert persons(dataset.frame, "1835", 2022, 1) == 7
    assert len(dataset.frame) == 2


def test_semicolon_with_a_sex_column(tmp_path):
    lines = [
        '"07459: Population, by region, sex, age, contents and year"',
        "",
        '"region";"sex";"age";"Persons 2021"',
        '"K-1835 Tr?na";"Males";"0 years";2',
        '"K-1835 Tr?na";"Females";"0 years";1',
        '"K-1835 Tr?na";"Males";"105 years or older";0',
        '"K-1835 Tr?na";"Females";"105 years or older";1',
    ]
    dataset = only(
        parse_file(write(tmp_path, "e.csv", lines, "ascii"))
    )  # as the real file: ASCII, names lost
    assert dataset.name == "population_07459_sex_2021"
    frame = dataset.frame
    assert persons(frame, "1835", 2021, 0, "male") == 2
    assert persons(frame, "1835", 2021, 0, "female") == 1
    assert persons(frame, "1835", 2021, 105, "female") == 1
    assert set(frame["sex"]) == {"female", "male"}


def test_semicolon_with_year_by_sex_columns(tmp_path):
    lines = [
        '"07459: Population, by region, age, contents, year and sex"',
        "",
        '"region";"age";"Persons 2023 Males";"Persons 2023 Females"',
        '"K-1835 Træna";"0 years";3;2',
        '"K-5043 Røyrvik";"1 year";1;4',
    ]
    frame = only(parse_file(write(tmp_path, "f.csv", lines, "latin-1", "\r\n"))).frame
    assert persons(frame, "1835", 2023, 0, "male") == 3
    assert persons(frame, "1835", 2023, 0, "female") == 2
    assert persons(frame, "5043", 2023, 1, "female") == 4
    assert len(frame) == 4


def test_norwegian_labels(tmp_path):
    lines = [
        '"region";"kjønn";"alder";"Personer 2024"',
        '"K-1835 Træna";"Menn";"0 år";2',
        '"K-1835 Træna";"Kvinner";"0 år";1',
        '"K-1835 Træna";"Kvinner";"105 år eller eldre";1',
    ]
    frame = only(parse_file(write(tmp_path, "g.csv", lines, "latin-1"))).frame
    assert persons(frame, "1835", 2024, 0, "male") == 2
    assert persons(frame, "1835", 2024, 105, "female") == 1


def test_unknown_sex_label_fails(tmp_path):
    lines = ['"region";"sex";"age";"Persons 2021"', '"K-1835 Træna";"Both";"0 years";2']
    with pytest.raises(UnknownLayoutError, match="h.csv"):
        parse_file(write(tmp_path, "h.csv", lines, "latin-1"))


def test_missing_value_symbols_are_dropped_not_zero(tmp_path):
    lines = ['"region";"age";"Persons 2022"', '"K-1835 Træna";"0 years";..', '"K-1835 Træna";"1 year";7']
    frame = only(parse_file(write(tmp_path, "i.csv", lines, "latin-1"))).frame
    assert frame["age"].tolist() == [1]


# --- csdata ----------------------------------------------------------------------------------------


def test_csdata_age_sex_on_2024_borders(tmp_path):
    lines = [
        "kommunenummer,kommunenavn,kjonn,alder,2025,2026",
        "1835,Træna,begge,0,4,5",
        "1835,Træna,kvinner,0,1,2",
        "1835,Træna,menn,0,3,3",
        "301,Oslo-Oslove,begge,105,2,",
    ]
    dataset = only(parse_file(write(tmp_path, "j.csv", lines, "utf-8")))
    assert dataset.extra["borders"] == 2024
    assert dataset.name == "population_07459_b2024_2025_2026"
    frame = dataset.frame
    assert persons(frame, "1835", 2026, 0) == 5
    assert persons(frame, "1835", 2025, 0, "female") == 1
    assert persons(frame, "0301", 2025, 105) == 2
    assert frame[(frame.region_code == "0301") & (frame.year == 2026)].empty  # missing stays missing
    assert "csdata" in dataset.caveat


def test_csdata_totals(tmp_path):
    lines = [
        "kommunenummer,kommunenavn,ar,begge,kvinner,menn",
        "1835,Træna,2025,463,220,243",
        "0301,Oslo-Oslove,2005,529846,271448,258398",
    ]
    dataset = only(parse_file(write(tmp_path, "k.csv", lines, "utf-8")))
    assert dataset.kind == "observations" and dataset.extra["borders"] == 2024
    frame = dataset.frame.set_index(["region_code", "year", "measure"])["value"]
    assert frame[("1835", 2025, "population_b2024_csdata_total")] == 463
    assert frame[("1835", 2025, "population_b2024_csdata_female")] == 220
    assert frame[("0301", 2005, "population_b2024_csdata_male")] == 258398


def test_code_mapping(tmp_path):
    lines = [
        "kommunenummer_original,ar,kommunenummer_2024,weighting",
        "1739,2017,5043,1.0",
        "1850,2019,1806,0.5",
        "1850,2019,1875,0.5",
        "101,2005,3101,1.0",
    ]
    dataset = only(parse_file(write(tmp_path, "l.csv", lines, "utf-8")))
    assert dataset.kind == "code_mapping"
    rows = set(map(tuple, dataset.frame.itertuples(index=False)))
    assert rows == {
        ("1739", 2017, "5043", 1.0),
        ("1850", 2019, "1806", 0.5),
        ("1850", 2019, "1875", 0.5),
        ("0101", 2005, "3101", 1.0),
    }


def test_klass_codes_at_json_with_sami_names(tmp_path):
    codes = [
        {
            "code": "1835",
            "parentCode": None,
            "level": "1",
            "name": "Træna",
            "shortName": "",
            "validFrom": None,
        },
        {"code": "5043", "parentCode": None, "level": "1", "name": "Raarvihke - Røyrvik", "shortName": ""},
        {"code": "5041", "parentCode": None, "level": "1", "name": "Snåase - Snåsa", "shortName": ""},
        {"code": "1875", "parentCode": None, "level": "1", "name": "Hamarøy - Hábmer", "shortName": ""},
        {"code": "9999", "parentCode": None, "level": "1", "name": "Uoppgitt", "shortName": ""},
    ]
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"codes": codes}, ensure_ascii=False), encoding="utf-8")
    dataset = only(parse_file(path))
    assert dataset.kind == "municipalities"
    frame = dataset.frame.set_index("municipality_code")
    assert list(frame.index) == ["1835", "5043", "5041", "1875"]  # 9999 dropped
    assert frame.loc["5043", "name"] == "Røyrvik"
    assert frame.loc["5043", "official_name"] == "Raarvihke - Røyrvik"
    assert frame.loc["5041", "name"] == "Snåsa"
    assert frame.loc["1875", "name"] == "Hamarøy"
    assert frame.loc["5043", "county_code"] == "50"


@pytest.mark.parametrize(
    ("official", "norwegian"),
    [
        ("Raarvihke - Røyrvik", "Røyrvik"),
        ("Snåase - Snåsa", "Snåsa"),
        ("Hamarøy - Hábmer", "Hamarøy"),
        ("Træna", "Træna"),
        ("Kárášjohka - Karasjok", "Karasjok"),
        ("Porsanger - Porsáŋgu - Porsanki", "Porsanger"),
    ],
)
def test_norwegian_name(official, norwegian):
    assert population.norwegian_name(official) == norwegian


def test_county_list(tmp_path):
    lines = [
        "kommunenummer,kommunenavn,fylkesnummer,fylkesnavn,landsdel",
        "5043,Raarvihke-Røyrvik,50,Trøndelag-Trööndelage,Midt-Norge",
        "1835,Træna,18,Nordland-Nordlánnda,Nord-Norge",
    ]
    frame = only(parse_file(write(tmp_path, "n.csv", lines, "utf-8"))).frame.set_index("municipality_code")
    assert frame.loc["5043", "name"] == "Røyrvik"
    assert frame.loc["5043", "county_name"] == "Trøndelag"
    assert frame.loc["1835", "county_code"] == "18"


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("K-1835 Træna", "1835"),
        ("1835 Træna", "1835"),
        ("1739 Røyrvik (-2017)", "1739"),
        ("K-21-22 Svalbard", None),
        ("K-23 Continental shelf", None),
        ("K-Rest Divided municalities and unknown", None),
        ("18 Nordland", None),
    ],
)
def test_region_code(label, code):
    assert population.region_code(label) == code


# --- failures --------------------------------------------------------------------------------------


def test_unknown_layout_names_the_file(tmp_path):
    path = write(tmp_path, "mystery.csv", ["a;b;c", "1;2;3"], "utf-8")
    with pytest.raises(UnknownLayoutError, match="mystery.csv"):
        parse_file(path)


def test_garbled_file_names_the_file(tmp_path):
    path = tmp_path / "garbled.csv"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(UnknownLayoutError, match="garbled.csv"):
        parse_file(path)


def test_truncated_07459_file_names_the_file(tmp_path):
    # the header is recognised but a value is not a number
    lines = ['"region";"age";"Persons 2022"', '"K-1835 Træna";"0 years";7x']
    with pytest.raises(UnknownLayoutError, match="broken.csv"):
        parse_file(write(tmp_path, "broken.csv", lines, "latin-1"))


def test_broken_json_names_the_file(tmp_path):
    path = tmp_path / "codes.json"
    path.write_text('{"codes": [', encoding="utf-8")
    with pytest.raises(UnknownLayoutError, match="codes.json"):
        parse_file(path)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(UnknownLayoutError, match="nothere.csv"):
        parse_file(tmp_path / "nothere.csv")


# --- the real files --------------------------------------------------------------------------------


def real_files() -> list[Path]:
    folders = [SHARED / "ssb" / "raw", SHARED / "plan"]
    return sorted(
        p
        for folder in folders
        if folder.is_dir()
        for p in folder.iterdir()
        if p.is_file() and p.suffix != ".md"
    )


@pytest.mark.skipif(not real_files(), reason="../shared is not present")
def test_detect_is_unambiguous_for_every_real_file():
    problems = {}
    for path in real_files():
        try:
            sources.detect(SourceFile(path, path.read_bytes()))
        except UnknownLayoutError as error:
            problems[path.name] = str(error)
    assert problems == {}
