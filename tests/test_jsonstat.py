"""The strict JSON-stat 2.0 reader, on small inline documents."""

from __future__ import annotations

import copy

import jsonstat_validator
import pandas as pd
import pytest

from nokkeltall import jsonstat
from nokkeltall.jsonstat import JsonStatError


def small_doc() -> dict:
    """2 regions × 2 years × 1 content, index given as dict for Region and list for Tid."""
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "07459: Befolkning, etter region og år",
        "source": "Statistisk sentralbyrå",
        "updated": "2025-02-21T07:00:00Z",
        "id": ["Region", "Tid", "ContentsCode"],
        "size": [2, 2, 1],
        "role": {"geo": ["Region"], "time": ["Tid"], "metric": ["ContentsCode"]},
        "dimension": {
            "Region": {
                "label": "region",
                "category": {"index": {"1835": 0, "5043": 1}, "label": {"1835": "Træna", "5043": "Røyrvik"}},
            },
            "Tid": {"label": "år", "category": {"index": ["2023", "2024"]}},
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {
                    "label": {"Personer1": "Personer"},
                    "unit": {"Personer1": {"base": "personer", "decimals": 0}},
                },
            },
        },
        "value": [444, 442, 429, None],
        "status": {"3": ".."},
        "extension": {"px": {"tableid": "07459"}},
    }


def test_valid_document_passes_our_validator_and_the_reference_validator():
    doc = small_doc()
    jsonstat.validate(doc, expected_dimensions=["Region", "Tid"])
    assert jsonstat_validator.validate_jsonstat(doc)


def test_to_frame_is_row_major_with_codes_and_na():
    frame = jsonstat.to_frame(small_doc())
    assert list(frame.columns) == ["Region", "Tid", "ContentsCode", "value"]
    assert list(frame["Region"]) == ["1835", "1835", "5043", "5043"]
    assert list(frame["Tid"]) == ["2023", "2024", "2023", "2024"]
    assert list(frame["ContentsCode"]) == ["Personer1"] * 4  # single category without index
    assert str(frame["value"].dtype) == "Float64"
    assert list(frame["value"][:3]) == [444.0, 442.0, 429.0]
    assert pd.isna(frame["value"][3])


def test_sparse_values_and_status_symbols_are_missing():
    doc = small_doc()
    doc["value"] = {"0": 444, "2": 0, "3": ".."}
    doc["status"] = {"2": ":"}  # confidential: the 0 is not a real zero
    frame = jsonstat.to_frame(doc)
    assert frame["value"].isna().tolist() == [False, True, True, True]


def test_status_dash_keeps_the_zero():
    doc = small_doc()
    doc["value"] = [0, 1, 2, 3]
    doc["status"] = {"0": "-"}
    assert jsonstat.to_frame(doc)["value"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_updated_and_table_id():
    assert jsonstat.updated(small_doc()) == "2025-02-21T07:00:00Z"
    assert jsonstat.table_id(small_doc()) == "07459"
    doc = small_doc()
    del doc["updated"], doc["extension"]
    assert jsonstat.updated(doc) is None
    assert jsonstat.table_id(doc) == "07459"  # from the label prefix


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update({"class": "collection"}), "class"),
        (lambda d: d.update({"version": "1.0"}), "versjon"),
        (lambda d: d.update({"size": [2, 2]}), "'size'"),
        (lambda d: d["dimension"]["Tid"]["category"].update({"index": ["2023"]}), "Tid"),
        (lambda d: d["dimension"].pop("Tid"), "Tid"),
        (lambda d: d.update({"value": [1, 2, 3]}), "3 verdier"),
        (lambda d: d.update({"value": {"9": 1}}), "ugyldig posisjon"),
        (lambda d: d["dimension"]["Region"]["category"].update({"index": {"1835": 0, "5043": 5}}), "0..n-1"),
    ],
)
def test_malformed_documents_fail_clearly(change, message):
    doc = copy.deepcopy(small_doc())
    change(doc)
    with pytest.raises(JsonStatError, match=message):
        jsonstat.validate(doc)


def test_expected_dimensions_must_be_present():
    with pytest.raises(JsonStatError, match="Alder"):
        jsonstat.validate(small_doc(), expected_dimensions=["Region", "Alder"])


def test_non_dict_is_refused():
    with pytest.raises(JsonStatError):
        jsonstat.validate([1, 2])


def test_older_ssb_bundle_is_converted():
    new = small_doc()
    old = {
        "dataset": {
            "dimension": {**new["dimension"], "id": new["id"], "size": new["size"], "role": new["role"]},
            "label": new["label"],
            "updated": new["updated"],
            "value": new["value"],
            "status": new["status"],
        }
    }
    converted = jsonstat.as_v2(old)
    assert converted["version"] == "2.0" and converted["id"] == new["id"]
    assert jsonstat_validator.validate_jsonstat(converted)
    pd.testing.assert_frame_equal(jsonstat.to_frame(converted), jsonstat.to_frame(new))
    assert jsonstat.updated(old) == new["updated"]
    with pytest.raises(JsonStatError):
        jsonstat.as_v2({"a": {"dimension": {}}, "b": {"dimension": {}}})
