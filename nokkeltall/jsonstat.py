"""A small, strict reader for JSON-stat 2.0 datasets (SSB's API format).

Shared by the file import (``nokkeltall.sources.registers``) and the live SSB API client.

* ``validate(doc, expected_dimensions)`` checks the structure and raises ``JsonStatError``.
* ``to_frame(doc)`` returns one column per dimension id (category *codes*) plus ``value``
  (Float64, missing as <NA>), in row-major order (the last dimension varies fastest).
* ``updated(doc)`` returns the ``updated`` timestamp, if any.
* ``as_v2(doc)`` converts SSB's older API responses (JSON-stat 1.x: ``{"dataset": {...}}`` with
  ``id``/``size``/``role`` inside ``dimension``) into a 2.0 dataset, so they can be read the
  same way. The stored 01222/07182/11694/06096 files are in that older form.

Status symbols: a value that is null or a string (".", "..", "...", ":") is missing. A numeric
value whose status is one of SSB's "no figure" symbols ("." not applicable, ".." not
available, "..." not yet available, ":" confidential) is also treated as missing; other
status flags (e.g. "p" preliminary, "-" nil) keep the value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

MISSING_SYMBOLS = frozenset({".", "..", "...", ":"})


class JsonStatError(ValueError):
    """The document is not a valid JSON-stat 2.0 dataset (message in Norwegian)."""


# ---------------------------------------------------------------------------- validation


def validate(doc: Any, expected_dimensions: list[str] | None = None) -> None:
    """Raise ``JsonStatError`` unless ``doc`` is a well-formed JSON-stat 2.0 dataset."""
    if not isinstance(doc, dict):
        raise JsonStatError("JSON-stat: dokumentet er ikke et JSON-objekt")
    if doc.get("class") != "dataset":
        raise JsonStatError(f"JSON-stat: class må være 'dataset', fant {doc.get('class')!r}")
    if str(doc.get("version")) != "2.0":
        raise JsonStatError(f"JSON-stat: versjon må være '2.0', fant {doc.get('version')!r}")
    ids, sizes = doc.get("id"), doc.get("size")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise JsonStatError("JSON-stat: 'id' må være en liste med dimensjonsnavn")
    if not isinstance(sizes, list) or not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise JsonStatError("JSON-stat: 'size' må være en liste med ikke-negative heltall")
    if len(ids) != len(sizes):
        raise JsonStatError(f"JSON-stat: 'id' har {len(ids)} elementer, men 'size' har {len(sizes)}")
    if len(set(ids)) != len(ids):
        raise JsonStatError("JSON-stat: samme dimensjon står flere ganger i 'id'")
    dimensions = doc.get("dimension")
    if not isinstance(dimensions, dict):
        raise JsonStatError("JSON-stat: mangler 'dimension'")
    for dimension_id, size in zip(ids, sizes):
        codes = _category_codes(dimensions, dimension_id)
        if len(codes) != size:
            raise JsonStatError(
                f"JSON-stat: dimensjonen {dimension_id!r} har {len(codes)} kategorier, men size sier {size}"
            )
    _check_values(doc, math.prod(sizes))
    if expected_dimensions:
        missing = [d for d in expected_dimensions if d not in ids]
        if missing:
            raise JsonStatError(f"JSON-stat: mangler forventede dimensjoner {missing} (har {ids})")


def _category_codes(dimensions: dict, dimension_id: str) -> list[str]:
    """Category codes of a dimension in index order (index as list, dict, or a lone label)."""
    dimension = dimensions.get(dimension_id)
    if not isinstance(dimension, dict) or not isinstance(dimension.get("category"), dict):
        raise JsonStatError(f"JSON-stat: dimensjonen {dimension_id!r} mangler 'category'")
    category = dimension["category"]
    index = category.get("index")
    if index is None:
        labels = category.get("label")
        if isinstance(labels, dict) and len(labels) == 1:  # a single category may omit the index
            return [str(next(iter(labels)))]
        raise JsonStatError(f"JSON-stat: dimensjonen {dimension_id!r} mangler category.index")
    if isinstance(index, list):
        codes = [str(code) for code in index]
    elif isinstance(index, dict):
        positions = sorted(index.values()) if all(isinstance(p, int) for p in index.values()) else None
        if positions != list(range(len(index))):
            raise JsonStatError(f"JSON-stat: category.index i {dimension_id!r} er ikke 0..n-1")
        codes = [str(code) for code, _ in sorted(index.items(), key=lambda item: item[1])]
    else:
        raise JsonStatError(f"JSON-stat: category.index i {dimension_id!r} må være liste eller objekt")
    if len(set(codes)) != len(codes):
        raise JsonStatError(f"JSON-stat: dimensjonen {dimension_id!r} har dupliserte kategorikoder")
    return codes


def _check_values(doc: dict, expected_count: int) -> None:
    values = doc.get("value")
    if isinstance(values, list):
        if len(values) != expected_count:
            raise JsonStatError(
                f"JSON-stat: {len(values)} verdier, men dimensjonene gir {expected_count} celler"
            )
    elif isinstance(values, dict):
        for key in values:
            if not str(key).isdigit() or int(key) >= expected_count:
                raise JsonStatError(f"JSON-stat: ugyldig posisjon {key!r} i sparsom 'value'")
    else:
        raise JsonStatError("JSON-stat: 'value' må være en liste eller et objekt")


# ---------------------------------------------------------------------------- reading


def to_frame(doc: dict) -> pd.DataFrame:
    """One row per cell: a column per dimension (category codes) and ``value`` (Float64)."""
    validate(doc)
    ids, sizes = doc["id"], doc["size"]
    if "value" in ids:
        raise JsonStatError("JSON-stat: en dimensjon kan ikke hete 'value'")
    codes = [_category_codes(doc["dimension"], dimension_id) for dimension_id in ids]
    count = math.prod(sizes)
    frame = pd.DataFrame(index=range(count))
    if count:
        grid = pd.MultiIndex.from_product(codes, names=ids)  # row-major: last dimension fastest
        for level, dimension_id in enumerate(ids):
            frame[dimension_id] = pd.array(grid.get_level_values(level), dtype="string")
    else:
        for dimension_id in ids:
            frame[dimension_id] = pd.array([], dtype="string")
    frame["value"] = pd.array(_numeric_values(doc, count), dtype="Float64")
    return frame


def _numeric_values(doc: dict, count: int) -> list[float | None]:
    raw = doc["value"]
    if isinstance(raw, dict):
        cells: list[Any] = [None] * count
        for key, value in raw.items():
            cells[int(key)] = value
    else:
        cells = list(raw)
    status = _status_per_cell(doc.get("status"), count)
    out: list[float | None] = []
    for position, value in enumerate(cells):
        if value is None or isinstance(value, (str, bool)) or status[position] in MISSING_SYMBOLS:
            out.append(None)
        elif isinstance(value, (int, float)) and not (isinstance(value, float) and np.isnan(value)):
            out.append(float(value))
        else:
            out.append(None)
    return out


def _status_per_cell(status: Any, count: int) -> list[str | None]:
    if status is None:
        return [None] * count
    if isinstance(status, str):
        return [status] * count
    if isinstance(status, list):
        if len(status) == 1:
            return [status[0]] * count
        if len(status) != count:
            raise JsonStatError(f"JSON-stat: 'status' har {len(status)} elementer, forventet {count}")
        return list(status)
    if isinstance(status, dict):
        cells: list[str | None] = [None] * count
        for key, symbol in status.items():
            if not str(key).isdigit() or int(key) >= count:
                raise JsonStatError(f"JSON-stat: ugyldig posisjon {key!r} i 'status'")
            cells[int(key)] = symbol
        return cells
    raise JsonStatError("JSON-stat: 'status' må være tekst, liste eller objekt")


def updated(doc: dict) -> str | None:
    """The dataset's ``updated`` timestamp (ISO text) or None."""
    if isinstance(doc, dict) and "updated" not in doc and isinstance(doc.get("dataset"), dict):
        doc = doc["dataset"]  # an older SSB bundle
    value = doc.get("updated") if isinstance(doc, dict) else None
    return str(value) if value else None


def dimension_labels(doc: dict, dimension_id: str) -> dict[str, str]:
    """Code -> label for one dimension (codes without a label map to themselves)."""
    codes = _category_codes(doc.get("dimension", {}), dimension_id)
    labels = doc["dimension"][dimension_id]["category"].get("label") or {}
    return {code: str(labels.get(code, code)) for code in codes}


def table_id(doc: dict) -> str | None:
    """The SSB table id ("07459"), from ``extension.px.tableid`` or the label prefix "07459: …"."""
    extension = doc.get("extension") or {}
    px = extension.get("px") if isinstance(extension, dict) else None
    if isinstance(px, dict) and px.get("tableid"):
        return str(px["tableid"])
    label = str(doc.get("label") or "")
    head = label.split(":", 1)[0].strip()
    return head if head.isdigit() and len(head) == 5 else None


# ---------------------------------------------------------------------------- older SSB responses


def as_v2(doc: Any) -> dict:
    """Return a JSON-stat 2.0 dataset: ``doc`` itself, or converted from a 1.x one-dataset bundle.

    SSB's older API (``/api/v0/…``) answers ``{"dataset": {"dimension": {"id": [...],
    "size": [...], "role": {...}, <dims>}, "value": [...], ...}}``. Bundles holding several
    datasets are refused.
    """
    if not isinstance(doc, dict):
        raise JsonStatError("JSON-stat: dokumentet er ikke et JSON-objekt")
    if doc.get("class") == "dataset":
        return doc
    candidates = [value for value in doc.values() if isinstance(value, dict) and "dimension" in value]
    if len(candidates) != 1:
        raise JsonStatError("JSON-stat: fant ikke nøyaktig ett datasett i dokumentet")
    old = candidates[0]
    dimensions = dict(old["dimension"])
    ids, sizes = dimensions.pop("id", None), dimensions.pop("size", None)
    role = dimensions.pop("role", None)
    if ids is None or sizes is None:
        raise JsonStatError("JSON-stat 1.x: dimension.id/dimension.size mangler")
    converted = {key: value for key, value in old.items() if key != "dimension"}
    converted.update(
        {"version": "2.0", "class": "dataset", "id": list(ids), "size": list(sizes), "dimension": dimensions}
    )
    if role:
        converted["role"] = role
    return converted
