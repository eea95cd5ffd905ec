"""Every family together: files no layout claims, errors naming the file, and the real shared files
(each claimed by exactly one layout, with spot checks of the published figures)."""

from __future__ import annotations

from pathlib import Path

import pytest
from source_files import matching, value, write_workbook

from nokkeltall.sources import SourceFile, UnknownLayoutError, parse_file

SHARED_RAW = Path(__file__).resolve().parents[2] / "shared" / "ssb" / "raw"


SHARED_PLAN = Path(__file__).resolve().parents[2] / "shared" / "plan" / "planstatus_smaa_kommuner.csv"


NOT_MINE = ("07459_",)


NOT_MINE_NAMES = {
    "kommuneomkoding_til_2024_csdata.csv",
    "klass131_kommuner_codesAt_2026-01-01.json",
    "kommuner_fylker_2024_csdata.csv",
    "SOURCES.md",
}


def test_unknown_csv_and_unrelated_workbook_are_not_claimed(tmp_path):
    cases = {
        "x.csv": b"a,b,c\n1,2,3\n",
        "y.xlsx": write_workbook(tmp_path / "y0.xlsx", {"Ark1": [("a", "b")]}),
        "z.csv": "ar;kommunenummer;BefolkningBosted\n2022;1835;362\n".encode("latin-1"),
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        assert matching(SourceFile(path, path.read_bytes())) == [], name


def test_parse_file_names_the_file_when_a_known_layout_breaks(tmp_path):
    path = tmp_path / "sysselsatte.csv"
    path.write_text("ar,kommunenummer,BefolkningBosted,SysselBosted,SysselArbsted\n20x2,1835,1,1,1\n")
    with pytest.raises(UnknownLayoutError, match="sysselsatte.csv.*20x2"):
        parse_file(path)


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_RAW.is_dir(), reason="../shared/ssb/raw finnes ikke")
def test_real_files():
    files = sorted(p for p in SHARED_RAW.iterdir() if p.is_file())
    if SHARED_PLAN.is_file():
        files.append(SHARED_PLAN)
    datasets = {}
    for path in files:
        source = SourceFile(path, path.read_bytes())
        layouts = matching(source)
        mine = not (path.name.startswith(NOT_MINE) or path.name in NOT_MINE_NAMES)
        assert len(layouts) == (1 if mine else 0), (path.name, [layout.name for layout in layouts])
        for dataset in layouts[0].parse(source) if layouts else []:
            assert dataset.name not in datasets, dataset.name
            datasets[dataset.name] = dataset
            if "region_code" in dataset.frame and dataset.kind != "geometries":
                assert dataset.frame["region_code"].str.fullmatch(r"\d{4}").all(), dataset.name

    employment = datasets["employment_11618_2017_2022"]
    assert [
        value(employment, "1835", 2022, m)
        for m in ("population_15_74", "employed_residents_15_74", "employed_workplace_15_74")
    ] == [362, 238, 217]
    small = datasets["kostra_economy_27_municipalities_2015_2025"]
    everyone = datasets["kostra_economy_79_municipalities_2020_2025"]
    assert value(everyone, "1835", 2024, "revenues_1000nok") == 111416
    assert value(everyone, "5033", 2024, "net_result_1000nok") == 29051
    assert value(small, "1826", 2024, "revenues_1000nok") == 255157
    assert value(small, "1826", 2024, "net_result_1000nok") == -1987
    assert value(datasets["centrality_index_klass128_2024"], "1835", 2024, "centrality_index") == 323
    assert value(datasets["cost_need_index_kdd_2025"], "1835", 2025, "cost_need_index") == pytest.approx(
        1.7317
    )
    assert value(datasets["cost_need_index_kdd_2026"], "1835", 2026, "cost_need_index") == pytest.approx(
        1.7385
    )
    components = datasets["population_changes_06913_1980_2026"]
    assert value(components, "1835", 2005, "population_06913") == 444
    quarterly = datasets["population_changes_quarterly_01222_2023q1_2025q1"]
    assert sum(value(quarterly, "1835", 2023, f"births_q{q}") for q in range(1, 5)) == 8
    assert value(datasets["households_income_07182_2006_2023"], "1835", 2006, "households_total") == 186
    cohabitation = datasets["cohabitation_06096_2020_2024"]
    assert value(cohabitation, "1835", 2024, "married_share_18plus_pct") == pytest.approx(35.2)
    groups = datasets["kostra_groups_2024"].frame
    assert groups.query("region_code == '1835' and attribute == 'kostra_group'")["value"].item() == "EKG16"
    robek = datasets["robek_2026_04_20"].frame
    assert {"5043", "1874", "5025"} <= set(robek["region_code"])
    free_income = datasets["free_income_kdd_gronthefte_2027"]
    assert value(free_income, "1835", 2027, "free_income_nok") / value(
        free_income, "1835", 2026, "population_1_july"
    ) == pytest.approx(177122, abs=1)
    assert len(datasets["geometries_municipalities_2024"].frame) == 357
    assert len(datasets["klass131_code_list_2020"].frame) == 357  # 356 + 9999
    ba = datasets["ba_regions_2024"].frame
    assert "5061" in set(ba["region_code"]) and "1567" not in set(ba["region_code"])
