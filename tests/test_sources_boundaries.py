"""Municipality and county outlines (GeoJSON): nokkeltall.sources.boundaries."""

from __future__ import annotations

import json

from source_files import parse


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
