"""The collected plan status: nokkeltall.sources.plan_status."""

from __future__ import annotations

import pandas as pd
import pytest
from source_files import parse, parse_first


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
    text = (
        "kommunenummer,kommunenavn,plantype,periode,vedtatt,status,kilde_url,kilde_tittel,hentet_fra,merknad\n"
        "1811,Bindal,samfunnsdel,,,kanskje,http://x,t,lagret kopi,\n"
    )
    with pytest.raises(ValueError, match="kanskje"):
        parse_first(tmp_path, "plan.csv", text)
