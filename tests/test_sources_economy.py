"""KOSTRA economy and KDD's figures (ROBEK, cost-need index, free income): nokkeltall.sources.economy."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from source_files import parse, value

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
