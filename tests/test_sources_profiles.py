"""The FemtiGram municipality profile extract: nokkeltall.sources.profiles."""

from __future__ import annotations

import pandas as pd
import pytest
from source_files import parse, parse_first, value

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


def test_profile_values_without_year_fail(tmp_path):
    row = (
        "1835,Træna,Nordland,8,442,559500,,29.2,41.1,4,20.2,5.5,2024,64.4,,35.6,2024,82.7,3.9,5.5,0,0,7.9,"
        "2026,1,1,1,1,4,2024,False,,,2025,500,118,1,425\n"
    )
    with pytest.raises(ValueError, match="utdanning_ar_09429"):
        parse_first(tmp_path, "p.csv", PROFILE_HEADER + row)
