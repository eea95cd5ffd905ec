"""A small, strict reader for JSON-stat 2.0 datasets (SSB's API format).

Shared by the file import (``nokkeltall.sources.statbank``) and the live SSB API client.

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

from nokkeltall import config, text

MISSING_SYMBOLS = frozenset({".", "..", "...", ":"})


class JsonStatError(ValueError):
    """The document is not a valid JSON-stat 2.0 dataset (message in Norwegian)."""


# ---------------------------------------------------------------------------- validation


def validate(doc: Any, expected_dimensions: list[str] | None = None, max_cells: int | None = None) -> None:
    """Raise ``JsonStatError`` unless ``doc`` is a well-formed JSON-stat 2.0 dataset.

    ``max_cells``: most cells the dataset may declare (the product of ``size``), checked before
    anything is built from it; None = the configured import limit.
    """
    validate_structure(doc, max_cells=_cell_limit(max_cells))
    count = math.prod(doc["size"])
    _check_values(doc, count)
    _status_per_cell(doc.get("status"), count, build=False)
    if expected_dimensions:
        ids = doc["id"]
        missing = [d for d in expected_dimensions if d not in ids]
        if missing:
            raise JsonStatError(f"JSON-stat: mangler forventede dimensjoner {missing} (har {ids})")


def validate_structure(doc: Any, max_cells: int | None = None) -> dict[str, list[str]]:
    """Everything but the values (also for metadata documents): category codes per dimension.

    Checks ``class``, ``version``, ``id``/``size``, that ``dimension`` has exactly the ids, every
    category index, roles naming known dimensions, and labels, units, notes, coordinates and
    children naming known categories (children without cycles).
    """
    if not isinstance(doc, dict):
        raise JsonStatError("JSON-stat: dokumentet er ikke et JSON-objekt")
    if doc.get("class") != "dataset":
        raise JsonStatError(f"JSON-stat: class må være 'dataset', fant {_short(doc.get('class'))}")
    if str(doc.get("version")) != "2.0":
        raise JsonStatError(f"JSON-stat: versjon må være '2.0', fant {_short(doc.get('version'))}")
    ids, sizes = _ids_and_sizes(doc)
    if max_cells is not None and math.prod(sizes) > max_cells:
        raise JsonStatError(
            f"JSON-stat: dokumentet oppgir {text.number(math.prod(sizes))} celler, "
            f"mer enn grensen på {text.number(max_cells)}"
        )
    dimensions = doc.get("dimension")
    if not isinstance(dimensions, dict):
        raise JsonStatError("JSON-stat: mangler 'dimension'")
    extra = [key for key in dimensions if key not in ids]
    if extra:
        raise JsonStatError(f"JSON-stat: 'dimension' har {_names(extra)}, som ikke står i 'id'")
    codes = {}
    for dimension_id, size in zip(ids, sizes, strict=True):
        codes[dimension_id] = _category_codes(dimensions, dimension_id)
        if len(codes[dimension_id]) != size:
            raise JsonStatError(
                f"JSON-stat: dimensjonen {dimension_id!r} har {len(codes[dimension_id])} kategorier, "
                f"men size sier {size}"
            )
        _check_category_references(dimension_id, dimensions[dimension_id]["category"], codes[dimension_id])
    _check_roles(doc.get("role"), ids)
    return codes


def _cell_limit(max_cells: int | None) -> int:
    return max_cells if max_cells is not None else config.import_max_cells()


def _short(value: Any) -> str:
    return repr(value)[:60]


def _names(keys: list) -> str:
    shown = ", ".join(repr(str(key))[:40] for key in keys[:3])
    return shown + (f" og {len(keys) - 3} til" if len(keys) > 3 else "")


def _ids_and_sizes(doc: dict) -> tuple[list[str], list[int]]:
    ids, sizes = doc.get("id"), doc.get("size")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise JsonStatError("JSON-stat: 'id' må være en liste med dimensjonsnavn")
    if not isinstance(sizes, list) or not all(_is_int(s) and s >= 0 for s in sizes):
        raise JsonStatError("JSON-stat: 'size' må være en liste med ikke-negative heltall")
    if len(ids) != len(sizes):
        raise JsonStatError(f"JSON-stat: 'id' har {len(ids)} elementer, men 'size' har {len(sizes)}")
    if len(set(ids)) != len(ids):
        raise JsonStatError("JSON-stat: samme dimensjon står flere ganger i 'id'")
    return ids, sizes


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
        if not all(isinstance(code, str) for code in index):
            raise JsonStatError(f"JSON-stat: category.index i {dimension_id!r} må bestå av tekstkoder")
        codes = list(index)
    elif isinstance(index, dict):
        if not all(_is_int(position) for position in index.values()):
            raise JsonStatError(
                f"JSON-stat: category.index i {dimension_id!r} har posisjoner som ikke er heltall"
            )
        if sorted(index.values()) != list(range(len(index))):
            raise JsonStatError(f"JSON-stat: category.index i {dimension_id!r} er ikke 0..n-1")
        codes = [str(code) for code, _ in sorted(index.items(), key=lambda item: item[1])]
    else:
        raise JsonStatError(f"JSON-stat: category.index i {dimension_id!r} må være liste eller objekt")
    if len(set(codes)) != len(codes):
        raise JsonStatError(f"JSON-stat: dimensjonen {dimension_id!r} har dupliserte kategorikoder")
    return codes


CATEGORY_MAPS = {"label": "etiketter", "unit": "enheter", "note": "noter", "coordinates": "koordinater"}


def _check_category_references(dimension_id: str, category: dict, codes: list[str]) -> None:
    """Labels, units, notes, coordinates and children may only name the dimension's categories."""
    known = set(codes)
    for key, what in CATEGORY_MAPS.items():
        mapping = category.get(key)
        if mapping is None:
            continue
        if not isinstance(mapping, dict):
            raise JsonStatError(f"JSON-stat: category.{key} i {dimension_id!r} må være et objekt")
        unknown = [code for code in mapping if code not in known]
        if unknown:
            raise JsonStatError(
                f"JSON-stat: {dimension_id!r} har {what} for ukjente kategorier: {_names(unknown)}"
            )
    _check_children(dimension_id, category.get("child"), known)


def _check_children(dimension_id: str, child: Any, known: set[str]) -> None:
    if child is None:
        return
    if not isinstance(child, dict):
        raise JsonStatError(f"JSON-stat: category.child i {dimension_id!r} må være et objekt")
    for parent, kids in child.items():
        if not isinstance(kids, list) or not all(isinstance(kid, str) for kid in kids):
            raise JsonStatError(f"JSON-stat: category.child i {dimension_id!r} må gi lister med koder")
        unknown = [code for code in [parent, *kids] if code not in known]
        if unknown:
            raise JsonStatError(
                f"JSON-stat: {dimension_id!r} har barn for ukjente kategorier: {_names(unknown)}"
            )
    if _has_cycle(child):
        raise JsonStatError(
            f"JSON-stat: category.child i {dimension_id!r} har en sirkel (en kategori er sin egen forelder)"
        )


def _has_cycle(child: dict[str, list[str]]) -> bool:
    """True if the parent → children graph has a cycle (Kahn's algorithm, no recursion)."""
    indegree: dict[str, int] = {}
    for parent, kids in child.items():
        indegree.setdefault(parent, 0)
        for kid in kids:
            indegree[kid] = indegree.get(kid, 0) + 1
    ready = [node for node, count in indegree.items() if count == 0]
    visited = 0
    while ready:
        node = ready.pop()
        visited += 1
        for kid in child.get(node, ()):
            indegree[kid] -= 1
            if indegree[kid] == 0:
                ready.append(kid)
    return visited < len(indegree)


def _check_roles(role: Any, ids: list[str]) -> None:
    if role is None:
        return
    if not isinstance(role, dict) or not all(isinstance(names, list) for names in role.values()):
        raise JsonStatError("JSON-stat: 'role' må være et objekt med lister av dimensjoner")
    unknown = [name for names in role.values() for name in names if name not in ids]
    if unknown:
        raise JsonStatError(f"JSON-stat: 'role' nevner ukjente dimensjoner: {_names(unknown)}")


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
                raise JsonStatError(f"JSON-stat: ugyldig posisjon {_short(key)} i sparsom 'value'")
    else:
        raise JsonStatError("JSON-stat: 'value' må være en liste eller et objekt")


# ---------------------------------------------------------------------------- reading


def to_frame(doc: dict, max_cells: int | None = None) -> pd.DataFrame:
    """One row per cell: a column per dimension (category codes) and ``value`` (Float64).

    ``max_cells``: see ``validate`` (checked before anything is allocated).
    """
    validate(doc, max_cells=max_cells)
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


def _status_per_cell(status: Any, count: int, build: bool = True) -> list[str | None]:
    """One status per cell; a list must have one element (for all) or one per cell.

    ``build=False`` only checks (returns an empty list), without a list of ``count`` cells.
    """
    if status is None or isinstance(status, str):
        return [status] * count if build else []
    if isinstance(status, list):
        if len(status) not in (1, count):
            raise JsonStatError(f"JSON-stat: 'status' har {len(status)} elementer, forventet {count}")
        if not build:
            return []
        return [status[0]] * count if len(status) == 1 else list(status)
    if isinstance(status, dict):
        for key in status:
            if not str(key).isdigit() or int(key) >= count:
                raise JsonStatError(f"JSON-stat: ugyldig posisjon {_short(key)} i 'status'")
        if not build:
            return []
        cells: list[str | None] = [None] * count
        for key, symbol in status.items():
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
