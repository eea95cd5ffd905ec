"""JSON-stat 2.0 → tidy ``Dataset``: the one normaliser for the API and for JSON-stat files.

``jsonstat.to_frame`` gives one column per dimension id (category codes) plus ``value``;
the functions here turn that into the snapshot's kinds following a ``TableSpec``.
"""

from __future__ import annotations

import re

import pandas as pd

from nokkeltall.datasets import Dataset
from nokkeltall.ssb.tables import TableSpec

MUNICIPALITY_CODE = re.compile(r"^\d{4}$")
SEX_BY_CODE = {"1": "male", "2": "female"}


class NormaliseError(ValueError):
    """The table's content does not fit its specification (message in Norwegian)."""


def is_municipality_code(code: str) -> bool:
    return bool(MUNICIPALITY_CODE.match(str(code)))


def dataset_from_document(document: dict, *, source: str, spec: TableSpec | None = None) -> Dataset:
    """One JSON-stat document (e.g. a saved API answer in a file) → Dataset.

    The table is recognised from the document (``extension.px.tableid`` or the label) unless
    ``spec`` is given; SSB's older JSON-stat 1.x bundles are converted first.
    """
    from nokkeltall import jsonstat  # noqa: PLC0415
    from nokkeltall.ssb.tables import table_spec  # noqa: PLC0415

    document = jsonstat.as_v2(document)
    if spec is None:
        table_id = jsonstat.table_id(document)
        if table_id is None:
            raise NormaliseError(f"{source}: finner ikke SSB-tabellnummeret i JSON-stat-dokumentet")
        try:
            spec = table_spec(table_id)
        except KeyError as error:
            raise NormaliseError(f"{source}: {error.args[0]}") from None
    return dataset_from_documents([document], spec, source=source)


def dataset_from_documents(
    documents: list[dict], spec: TableSpec, *, source: str, updated: str | None = None
) -> Dataset:
    """Turn one or more JSON-stat documents of the same table (query chunks) into a Dataset."""
    from nokkeltall import jsonstat  # noqa: PLC0415 (written alongside; imported when used)

    frames = [jsonstat.to_frame(document) for document in documents]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if updated is None:
        stamps = [jsonstat.updated(document) for document in documents]
        updated = max((s for s in stamps if s), default=None)
    return dataset_from_frame(frame, spec, source=source, updated=updated)


def dataset_from_frame(frame: pd.DataFrame, spec: TableSpec, *, source: str, updated: str | None) -> Dataset:
    """``frame`` has one column per dimension of ``spec`` (codes) and ``value``."""
    missing = [d for d in spec.dimensions if d not in frame.columns]
    if missing:
        raise NormaliseError(f"tabell {spec.table_id}: svaret mangler dimensjonene {missing}")
    frame = frame.loc[:, [*spec.dimensions, "value"]].copy()
    for dimension in spec.dimensions:
        frame[dimension] = frame[dimension].astype(str)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("Float64")
    frame = _keep_municipalities(frame, spec)
    frame = _sum_away(frame, spec)
    tidy = TIDY_BY_KIND[spec.kind](frame, spec)
    return Dataset(
        name=spec.dataset_name,
        kind=spec.kind,
        frame=tidy,
        table_id=spec.table_id,
        title=spec.title,
        source=source,
        updated=updated,
        caveat=spec.caveat,
    )


def _keep_municipalities(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    for dimension, role in spec.roles.items():
        if role.endswith("region_code"):
            frame = frame[frame[dimension].map(is_municipality_code)]
    return frame


def _sum_away(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    if not spec.sum_over:
        return frame
    keep = [d for d in spec.dimensions if d not in spec.sum_over]
    summed = frame.groupby(keep, sort=False, dropna=False)["value"].sum(min_count=1)
    return summed.reset_index()


def _renamed(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    return frame.rename(columns=spec.roles)


def _year(series: pd.Series) -> pd.Series:
    return series.astype(str).str.slice(0, 4).astype("int64")


def _measures(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    unknown = sorted(set(frame["measure"]) - set(spec.measures))
    if unknown:
        raise NormaliseError(f"tabell {spec.table_id}: ukjente statistikkvariabler {unknown}")
    frame["measure"] = frame["measure"].map(spec.measures)
    return frame


def tidy_observations(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """region_code, year, measure, value – missing values (SSB's «..», «:») are dropped."""
    frame = _measures(_renamed(frame, spec), spec)
    frame = frame[frame["value"].notna()]
    frame["year"] = _year(frame["year"])
    frame = frame.sort_values(["region_code", "year", "measure"], kind="stable")
    return frame.loc[:, ["region_code", "year", "measure", "value"]]


def tidy_population_age_sex(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """region_code, year, sex (total/female/male), age 0–105 (105 = 105+), persons.

    The table has sexes 1 and 2; ``total`` is their sum. Cells without a figure are dropped;
    zeros are kept as published (SSB shows 0 for a municipality number not in use that year).
    """
    frame = _renamed(frame, spec)
    unknown = sorted(set(frame["sex"]) - set(SEX_BY_CODE))
    if unknown:
        raise NormaliseError(f"tabell {spec.table_id}: ukjente kjønnskoder {unknown}")
    frame = frame[frame["value"].notna()]
    frame["sex"] = frame["sex"].map(SEX_BY_CODE)
    frame["age"] = frame["age"].str.rstrip("+").astype("int64")
    frame["year"] = _year(frame["year"])
    frame["persons"] = frame["value"].astype("int64")
    frame = frame.loc[:, ["region_code", "year", "sex", "age", "persons"]]
    total = frame.groupby(["region_code", "year", "age"], as_index=False)["persons"].sum()
    total["sex"] = "total"
    frame = pd.concat([frame, total], ignore_index=True)
    frame["sex_order"] = frame["sex"].map({"total": 0, "female": 1, "male": 2})
    frame = frame.sort_values(["region_code", "year", "sex_order", "age"], kind="stable")
    return frame.loc[:, ["region_code", "year", "sex", "age", "persons"]]


def tidy_commuting_flows(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """year, home_region_code, work_region_code, employed_persons – zero and missing flows dropped."""
    frame = _renamed(frame, spec)
    frame = frame[frame["value"].fillna(0) != 0]
    frame["year"] = _year(frame["year"])
    frame["employed_persons"] = frame["value"].astype("int64")
    frame = frame.sort_values(["year", "home_region_code", "work_region_code"], kind="stable")
    return frame.loc[:, ["year", "home_region_code", "work_region_code", "employed_persons"]]


TIDY_BY_KIND = {
    "observations": tidy_observations,
    "population_age_sex": tidy_population_age_sex,
    "commuting_flows": tidy_commuting_flows,
}
