"""``jsonstat.validate`` agrees with the official JSON-stat validator's conformance corpus.

Every case whose input is a dataset (``class: dataset``) gets the validator's verdict: valid
datasets are accepted, invalid ones rejected (a warning such as METRIC_UNIT_MISSING leaves a
dataset valid). Collections and bundles are not datasets; this reader refuses them by design.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nokkeltall import jsonstat

CORPUS = Path(__file__).parent / "data" / "jsonstat_conformance" / "cases.json"
CASES = json.loads(CORPUS.read_text(encoding="utf-8"))
DATASETS = [case for case in CASES if case["input"].get("class") == "dataset"]


# the validator's rule code → what our Norwegian message says (the right defect, not another one)
REASONS = {
    "VALUE_LEN_MISMATCH": "verdier, men dimensjonene gir",
    "ID_SIZE_LEN_MISMATCH": "'id' har 3 elementer, men 'size' har 2",
    "DIM_KEY_ID_MISMATCH": "som ikke står i 'id'",
    "SPARSE_KEY_OUT_OF_RANGE": "i sparsom 'value'",
    "ROLE_ID_UNKNOWN": "'role' nevner ukjente dimensjoner",
    "STATUS_LEN_MISMATCH": "'status' har 3 elementer, forventet 4",
    "INDEX_COUNT_MISMATCH": "kategorier, men size sier",
    "INDEX_POSITIONS_INVALID": "er ikke 0..n-1",
    "LABEL_KEY_UNKNOWN": "etiketter for ukjente kategorier",
    "UNIT_KEY_UNKNOWN": "enheter for ukjente kategorier",
    "NOTE_KEY_UNKNOWN": "noter for ukjente kategorier",
    "COORD_KEY_UNKNOWN": "koordinater for ukjente kategorier",
    "CHILD_ID_UNKNOWN": "barn for ukjente kategorier",
    "CHILD_CYCLE": "har en sirkel",
}


def expected_valid(case: dict) -> bool:
    return case["expected"].get("valid", case["group"] == "valid")


def test_the_corpus_is_the_vendored_one():
    assert len(CASES) == 20 and len(DATASETS) == 18
    assert (CORPUS.parent / "SOURCE.md").read_text(encoding="utf-8").count("Apache License 2.0") == 1


@pytest.mark.parametrize("case", DATASETS, ids=[case["id"] for case in DATASETS])
def test_dataset_case_gets_the_validators_verdict(case):
    if expected_valid(case):
        jsonstat.validate(case["input"])
        jsonstat.to_frame(case["input"])  # and it can be read
    else:
        with pytest.raises(jsonstat.JsonStatError, match="^JSON-stat: ") as rejected:
            jsonstat.validate(case["input"])
        (code,) = case["expected"]["codes"]
        assert REASONS[code] in str(rejected.value)


@pytest.mark.parametrize("case", [c for c in CASES if c not in DATASETS], ids=lambda case: case["id"])
def test_collections_and_bundles_are_not_read_as_one_dataset(case):
    with pytest.raises(jsonstat.JsonStatError):
        jsonstat.validate(case["input"])
