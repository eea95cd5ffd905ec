"""Municipality and county outlines (GeoJSON)."""

from __future__ import annotations

import json

import pandas as pd

from nokkeltall.datasets import Dataset
from nokkeltall.sources import Layout, SourceFile
from nokkeltall.sources.readers import About, parsed_json


def _geojson_level(source: SourceFile) -> str | None:
    doc = parsed_json(source)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not doc.get("features"):
        return None
    properties = doc["features"][0].get("properties") or {}
    if "kommunenummer" in properties:
        return "municipality"
    if "fylkesnummer" in properties:
        return "county"
    return None


GEOJSON = About(
    "KARTVERKET-GRENSER",
    publisher="Kartverket",
    licence="CC BY 4.0",
    caveat="Forenklede omriss (robhop/fylker-og-kommuner, basert på Kartverkets data), "
    "2024-inndeling, "
    "WGS84. © Kartverket.",
)


def parse_geojson(source: SourceFile) -> list[Dataset]:
    """GeoJSON FeatureCollection → geometries, one feature per row as compact JSON text
    (coordinates unchanged). Municipality level if features carry ``kommunenummer``
    (4-digit region_code), county level if they carry ``fylkesnummer`` (2-digit)."""
    level = _geojson_level(source)
    number_key, name_key = (
        ("kommunenummer", "kommunenavn") if level == "municipality" else ("fylkesnummer", "fylkesnavn")
    )
    rows = []
    for feature in parsed_json(source)["features"]:
        properties = feature.get("properties") or {}
        code = str(properties.get(number_key, "")).strip()
        code = code.zfill(4) if level == "municipality" else code.zfill(2)
        if not code.isdigit():
            raise ValueError(f"GeoJSON: mangler {number_key} i et objekt")
        rows.append(
            {
                "region_code": code,
                "level": level,
                "name": properties.get(name_key) or properties.get("name"),
                "geojson": json.dumps(feature, ensure_ascii=False, separators=(",", ":")),
            }
        )
    frame = pd.DataFrame(rows)
    if frame["region_code"].duplicated().any():
        raise ValueError("GeoJSON: samme region flere ganger")
    plural = "municipalities" if level == "municipality" else "counties"
    return [
        GEOJSON.dataset(
            source,
            f"geometries_{plural}_2024",
            "geometries",
            frame,
            title="Kommunegrenser 2024 (forenklet)"
            if level == "municipality"
            else "Fylkesgrenser 2024 (forenklet)",
        )
    ]


LAYOUTS: list[Layout] = [
    Layout("GeoJSON kommune-/fylkesgrenser", lambda s: _geojson_level(s) is not None, parse_geojson),
]
