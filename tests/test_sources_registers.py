"""Parsers of the source families in nokkeltall.sources (all but population), on small inline files
(real encodings/separators), plus one check against the real shared files when they are present."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from nokkeltall.sources import SourceFile, UnknownLayoutError, all_layouts, population, readers
from nokkeltall.sources import regions as region_layouts

SHARED_RAW = Path(__file__).resolve().parents[2] / "shared" / "ssb" / "raw"
SHARED_PLAN = Path(__file__).resolve().parents[2] / "shared" / "plan" / "planstatus_smaa_kommuner.csv"
NOT_MINE = ("07459_",)
NOT_MINE_NAMES = {
    "kommuneomkoding_til_2024_csdata.csv",
    "klass131_kommuner_codesAt_2026-01-01.json",
    "kommuner_fylker_2024_csdata.csv",
    "SOURCES.md",
}


def matching(source: SourceFile) -> list:
    """The layouts of the families tested here (population's have their own tests) that claim the file."""
    return [layout for layout in all_layouts() if layout not in population.LAYOUTS and layout.sniff(source)]


def parse(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> dict:
    """Write the file, require exactly one of our layouts to claim it, parse it → {name: Dataset}."""
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    source = SourceFile(path, path.read_bytes())
    layouts = matching(source)
    assert len(layouts) == 1, [layout.name for layout in layouts]
    return {dataset.name: dataset for dataset in layouts[0].parse(source)}


def value(dataset, code: str, year: int, measure: str):
    frame = dataset.frame
    rows = frame[(frame["region_code"] == code) & (frame["year"] == year) & (frame["measure"] == measure)]
    assert len(rows) == 1, (code, year, measure, len(rows))
    return rows["value"].iloc[0]


# ---------------------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1835", "1835"),
        ("K-1835", "1835"),
        ("1835 Træna", "1835"),
        ("301", "0301"),
        (301, "0301"),
        ("18", None),
        ("0", None),
        ("Rest", None),
        ("9999", None),
        ("2111", None),
        ("2399", None),
        ("0716u", None),
        ("K-21-22 Svalbard", None),
        ("", None),
        (None, None),
    ],
)
def test_region_code_normalisation(raw, expected):
    assert readers.region_code(raw) == expected


# ---------------------------------------------------------------------------------------- CSV layouts


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
    path = tmp_path / "a.csv"
    path.write_text("ar,kommunenummer,BefolkningBosted,SysselBosted,SysselArbsted\n2022,1835,3x2,1,1\n")
    source = SourceFile(path, path.read_bytes())
    with pytest.raises(ValueError, match="3x2"):
        matching(source)[0].parse(source)


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
    path = tmp_path / "x.csv"
    path.write_text("kode,variabel,aar,verdi\n1835,Fodte,2024,3\n")
    source = SourceFile(path, path.read_bytes())
    with pytest.raises(ValueError, match="Fodte"):
        matching(source)[0].parse(source)


KOSTRA_HEADER = (
    "kommunenummer,kommunenavn,kostragruppe,maal,kostra_kode,beskrivelse,aar,belop_1000kr,"
    "per_innbygger_kr,netto_driftsresultat_pst_av_brutto_driftsinntekter_BEREGNET,kilde_commit\n"
)


def test_kostra_economy(tmp_path):
    text = KOSTRA_HEADER + (
        "1835,Træna,EKG16,revenues,AGD13,Brutto driftsinntekter,2024,111416,240639,,215c016\n"
        "1835,Træna,EKG16,net_result,AGD23,Netto driftsresultat,2024,-153,-330,-0.1,215c016\n"
        "1835,Træna,EKG16,debt,KG31,Netto lånegjeld,2024,95138,,,215c016\n"
        "5033,Tydal,EKG17,net_result,AGD23,Netto driftsresultat,2024,29051,37000,12.4,215c016\n"
    )
    dataset = parse(tmp_path, "k.csv", text)["kostra_economy_2_municipalities_2024_2024"]
    assert dataset.publisher == "SSB KOSTRA (via tredjepart)" and "tredjepart" in dataset.caveat
    assert value(dataset, "1835", 2024, "revenues_1000nok") == 111416
    assert value(dataset, "1835", 2024, "revenues_per_capita_nok") == 240639
    assert value(dataset, "5033", 2024, "net_result_1000nok") == 29051
    assert value(dataset, "1835", 2024, "net_debt_1000nok") == 95138
    assert pd.isna(value(dataset, "1835", 2024, "net_debt_per_capita_nok"))
    assert not dataset.frame["measure"].str.contains("pst|pct").any()  # the computed % is not kept


def test_free_income_with_line_break_in_name(tmp_path):
    text = (
        "nr,navn,fylke,pop,frie26,frie27,vekst,skatteindeks\n"
        "1835,Træna,Nordland,456,78526772.0,80767594.0,2.879,90.183\n"
        '4219,"Evje og\nHornnes",Agder,3860,347042659.0,365085555.0,5.196,76.913\n'
    )
    dataset = parse(tmp_path, "f.csv", text)["free_income_kdd_gronthefte_2027"]
    assert value(dataset, "1835", 2026, "free_income_nok") == 78526772
    assert value(dataset, "1835", 2027, "free_income_nok") == 80767594
    assert value(dataset, "4219", 2026, "population_1_july") == 3860
    assert value(dataset, "4219", 2026, "tax_index_pct") == pytest.approx(76.913)
    assert value(dataset, "4219", 2027, "free_income_growth_pct") == pytest.approx(5.196)
    assert dataset.licence == "NLOD 2.0"


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


PROFILE_HEADER = (
    "kommunenummer,kommunenavn,fylke,areal_km2,folkemengde_2024_07459,"
    "median_inntekt_etter_skatt_husholdning_2024_InntektStruk13,utdanning_ar_09429,utd_grunnskole_pct,"
    "utd_vgs_pct,utd_fagskole_pct,utd_hoyere_kort_pct,utd_hoyere_lang_pct,eierstatus_ar_11084,"
    "hush_selveier_pct,hush_andelseier_pct,hush_leier_pct,boliger_ar_06265,bol_enebolig_pct,"
    "bol_tomannsbolig_pct,bol_rekkehus_pct,bol_blokk_pct,bol_bofellesskap_pct,bol_annet_pct,"
    "gebyr_ar_12842,gebyr_vann,gebyr_avlop,gebyr_avfall,gebyr_feiing,gebyr_total,eiendomsskatt_ar_14674,"
    "eiendomsskatt_bolig,eiendomsskatt_120m2_kr,eiendomsskatt_promille,fastlege_ar_12005,"
    "fastlege_kapasitet,fastlege_reservekapasitet,fastlege_antall_lister,fastlege_gj_listelengde\n"
)


def test_profiles(tmp_path):
    text = PROFILE_HEADER + (
        "1835,Træna,Nordland,8,442,559500,2024,29.2,41.1,4,20.2,5.5,2024,64.4,,35.6,2024,82.7,3.9,5.5,0,0,7.9,"
        "2026,12473,4400,5594,926,23393,2024,False,,,2025,500,118,1,425\n"
        "1812,Sømna,Nordland,188,1976,605700,2024,27.4,44.9,2.8,20.2,4.7,2024,77.1,1.6,21.4,2024,83.7,8.2,5.3,0,2.0,"
        "0.8,,,,,,,2024,True,4032,4,2025,2350,101,0,584\n"
    )
    datasets = parse(tmp_path, "p.csv", text)
    profile = datasets["municipality_profiles_femtigram"]
    assert value(profile, "1835", 2024, "education_higher_short_pct") == pytest.approx(20.2)
    assert value(profile, "1835", 2026, "fee_total_nok") == 23393
    assert value(profile, "1835", 2024, "household_income_after_tax_median_nok") == 559500
    assert value(profile, "1835", 2024, "dwellings_apartment_block_pct") == 0  # a published zero
    assert pd.isna(value(profile, "1835", 2024, "households_cooperative_owner_pct"))
    measures = set(profile.frame["measure"])
    assert not any("area" in m or "areal" in m for m in measures)
    assert not (
        (profile.frame["region_code"] == "1812") & profile.frame["measure"].str.startswith("fee_")
    ).any()
    flags = datasets["municipality_profile_flags_femtigram"].frame
    assert dict(zip(flags["region_code"], flags["value"], strict=True)) == {"1835": "nei", "1812": "ja"}


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


def test_plan_status(tmp_path):
    text = (
        "kommunenummer,kommunenavn,plantype,periode,vedtatt,status,kilde_url,kilde_tittel,hentet_fra,merknad\n"
        "1811,Bindal,samfunnsdel,2013-2024,,ukjent,http://x,Folkemøte,lagret kopi,Side fra 2013\n"
        "1835,Træna,planstrategi,,2023-12-15,vedtatt,http://y,Planstrategi,lagret kopi,\n"
    )
    dataset = parse(tmp_path, "plan.csv", text)["plan_status_sources"]
    frame = dataset.frame
    assert frame["municipality_code"].tolist() == ["1811", "1835"]
    assert pd.isna(frame["adopted"][0]) and pd.isna(frame["period"][1]) and pd.isna(frame["note"][1])
    assert dataset.publisher == "Kommunenes nettsider (innsamlet)"


def test_plan_status_unknown_status_fails(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(
        "kommunenummer,kommunenavn,plantype,periode,vedtatt,status,kilde_url,kilde_tittel,hentet_fra,merknad\n"
        "1811,Bindal,samfunnsdel,,,kanskje,http://x,t,lagret kopi,\n"
    )
    source = SourceFile(path, path.read_bytes())
    with pytest.raises(ValueError, match="kanskje"):
        matching(source)[0].parse(source)


# ---------------------------------------------------------------------------------------- KLASS and mappings


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
    path = tmp_path / "kodeliste.csv"
    path.write_text(
        '"code";"parentCode";"level";"name";"shortName";"notes";"validFrom";"validTo"\n"1835";"";"1";"T";;""\n'
    )
    source = SourceFile(path, path.read_bytes())
    with pytest.raises(UnknownLayoutError, match="årgang"):
        matching(source)[0].parse(source)


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


# ---------------------------------------------------------------------------------------- JSON layouts


def test_robek(tmp_path):
    doc = {
        "kilde": "KDD",
        "publisert": "2026-04-20",
        "hjemler": {"c": "Merforbruk over to år.", "d": "Over tre prosent."},
        "kommuner": [
            {"kommunenummer": "5043", "kommune": "Røyrvik", "hjemmel": "c og d"},
            {"kommunenummer": "1874", "kommune": "Moskenes", "hjemmel": ""},
        ],
    }
    dataset = parse(tmp_path, "r.json", json.dumps(doc))["robek_2026_04_20"]
    frame = dataset.frame
    robek = dict(
        zip(
            frame.loc[frame["attribute"] == "robek", "region_code"],
            frame.loc[frame["attribute"] == "robek", "value"],
            strict=True,
        )
    )
    assert robek == {"5043": "c og d", "1874": "ja"}
    assert "Over tre prosent" in frame.loc[frame["attribute"] == "robek_grounds", "value"].item()
    assert set(frame["as_of"]) == {"2026-04-20"} and dataset.table_id == "KDD-ROBEK"


def test_cost_need_index(tmp_path):
    doc = {
        "år": 2026,
        "kilde": "KMD Grønt hefte 2026 — samlet DKI",
        "publisert": "2026-04-26",
        "kommuner": {"1835": 1.7385, "3222": {"navn": "Lørenskog", "pleie": 0.8, "samlet": 0.9551}},
    }
    dataset = parse(tmp_path, "d.json", json.dumps(doc))["cost_need_index_kdd_2026"]
    assert value(dataset, "1835", 2026, "cost_need_index") == pytest.approx(1.7385)
    assert value(dataset, "3222", 2026, "cost_need_index") == pytest.approx(0.9551)
    assert dataset.publisher.startswith("Kommunal- og distriktsdepartementet")


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
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    source = SourceFile(path, path.read_bytes())
    with pytest.raises(ValueError, match="verdier"):
        matching(source)[0].parse(source)


def test_geojson_levels(tmp_path):
    polygon = {"type": "Polygon", "coordinates": [[[12.1, 66.5], [12.2, 66.5], [12.2, 66.6], [12.1, 66.5]]]}
    municipalities = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": polygon,
                "properties": {
                    "id": "1835",
                    "kommunenummer": "1835",
                    "name": "Træna",
                    "kommunenavn": "Træna",
                },
            }
        ],
    }
    dataset = parse(tmp_path, "k.geojson", json.dumps(municipalities))["geometries_municipalities_2024"]
    row = dataset.frame.iloc[0]
    assert (row["region_code"], row["level"], row["name"]) == ("1835", "municipality", "Træna")
    assert json.loads(row["geojson"])["geometry"]["coordinates"][0][0] == [12.1, 66.5]
    assert dataset.publisher == "Kartverket" and dataset.licence == "CC BY 4.0"

    counties = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": polygon,
                "properties": {
                    "id": "18",
                    "name": "Nordland",
                    "fylkesnummer": "18",
                    "fylkesnavn": "Nordland",
                },
            }
        ],
    }
    frame = parse(tmp_path, "f.geojson", json.dumps(counties))["geometries_counties_2024"].frame
    assert frame[["region_code", "level"]].values.tolist() == [["18", "county"]]


# ---------------------------------------------------------------------------------------- workbooks


def write_workbook(path: Path, sheets: dict[str, list[tuple]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path.read_bytes()


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


# ---------------------------------------------------------------------------------------- the real files


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


def test_profile_values_without_year_fail(tmp_path):
    row = (
        "1835,Træna,Nordland,8,442,559500,,29.2,41.1,4,20.2,5.5,2024,64.4,,35.6,2024,82.7,3.9,5.5,0,0,7.9,"
        "2026,1,1,1,1,4,2024,False,,,2025,500,118,1,425\n"
    )
    path = tmp_path / "p.csv"
    path.write_text(PROFILE_HEADER + row)
    source = SourceFile(path, path.read_bytes())
    with pytest.raises(ValueError, match="utdanning_ar_09429"):
        matching(source)[0].parse(source)


def test_parse_file_names_the_file_when_a_known_layout_breaks(tmp_path):
    from nokkeltall.sources import parse_file

    path = tmp_path / "sysselsatte.csv"
    path.write_text("ar,kommunenummer,BefolkningBosted,SysselBosted,SysselArbsted\n20x2,1835,1,1,1\n")
    with pytest.raises(UnknownLayoutError, match="sysselsatte.csv.*20x2"):
        parse_file(path)
