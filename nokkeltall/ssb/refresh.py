"""Refresh the snapshot from SSB: fetch every requested table, then write them all at once.

Nothing is written unless every requested table succeeded, so a failure leaves the previous
snapshot byte for byte intact. A table whose JSON-stat ``updated`` stamp equals the one in
the manifest is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from nokkeltall import config
from nokkeltall.datasets import Dataset
from nokkeltall.ssb.client import PxWebClient, ResponseCache, SsbError, dimension_codes
from nokkeltall.ssb.normalise import dataset_from_documents, is_municipality_code
from nokkeltall.ssb.tables import ALL, MUNICIPALITIES, TABLES, TableSpec, table_spec

DEFAULT_MAX_AGE = timedelta(hours=6)
KEPT = "Forrige datagrunnlag er beholdt."


class SpecMismatch(SsbError):
    """SSB's metadata lacks a dimension or code the fetch specification asks for."""


class RefreshError(RuntimeError):
    """The refresh failed; ``str(error)`` is a Norwegian message for the user (exit code 1)."""

    def __init__(self, message: str, table_id: str | None = None):
        super().__init__(message)
        self.table_id = table_id


@dataclass(frozen=True)
class Progress:
    table_id: str
    title: str
    stage: str  # "metadata", "data", "uendret", "ferdig"
    done: int  # data queries done for this table
    total: int  # data queries planned for this table (0 while reading metadata)


@dataclass
class TableOutcome:
    table_id: str
    dataset_name: str
    status: str  # "updated" (new data written), "unchanged" (same `updated`), "skipped" (spec to verify)
    updated: str | None
    rows: int | None = None
    queries: int = 0
    message: str | None = None


@dataclass
class RefreshResult:
    outcomes: list[TableOutcome] = field(default_factory=list)
    written: bool = False  # whether the snapshot was rewritten

    @property
    def changed(self) -> list[str]:
        return [o.table_id for o in self.outcomes if o.status == "updated"]


def refresh(
    table_ids: Iterable[str] | None = None,
    *,
    progress: Callable[[Progress], None] | None = None,
    max_age: timedelta | float = DEFAULT_MAX_AGE,
    snapshot_directory: Path | None = None,
    client: PxWebClient | None = None,
    force: bool = False,
    budget: float | None = None,
) -> RefreshResult:
    """Fetch ``table_ids`` (default: every table in ``TABLES``) and update the snapshot.

    ``max_age``: raw responses cached more recently than this are reused without asking SSB.
    ``force``: write even when SSB's ``updated`` stamp equals the manifest's.
    ``budget``: seconds for the whole refresh, waits and retries included (default
    ``NOKKELTALL_SSB_BUDGET`` or 30 minutes).
    Raises ``RefreshError`` (Norwegian message naming the table and the cause); the snapshot is
    then untouched.
    """
    specs = _specs(table_ids)
    client = client or PxWebClient(cache=ResponseCache(max_age=_seconds(max_age)))
    client.start_budget(budget if budget is not None else config.ssb_budget_seconds())
    report = progress or (lambda _event: None)
    known = _manifest_updated(snapshot_directory)

    result = RefreshResult()
    fresh: list[Dataset] = []
    for spec in specs:
        try:
            outcome, dataset = _refresh_table(spec, client, known, force, report)
        except SpecMismatch as error:
            if not spec.to_verify or table_ids is not None:
                raise RefreshError(f"{error} {KEPT}", spec.table_id) from error
            # An unverified specification that SSB's metadata contradicts is skipped, not fatal:
            # nothing was fetched for it, and the verified tables should still be refreshed.
            result.outcomes.append(
                TableOutcome(spec.table_id, spec.dataset_name, "skipped", None, message=str(error))
            )
            continue
        except (SsbError, ValueError) as error:  # ValueError: NormaliseError, JsonStatError, SchemaError
            raise RefreshError(f"{error} {KEPT}", spec.table_id) from error
        except (TypeError, KeyError, IndexError, AttributeError, RecursionError) as error:
            # an answer shaped in a way no check above foresaw: still SSB's answer, not our failure
            raise RefreshError(
                f"SSB sendte et svar for tabell {spec.table_id} som ikke kunne leses som JSON-stat "
                f"({type(error).__name__}). {KEPT}",
                spec.table_id,
            ) from error
        result.outcomes.append(outcome)
        if dataset is not None:
            fresh.append(dataset)

    if fresh:
        from nokkeltall import checks, snapshot  # noqa: PLC0415

        try:
            checks.validate_candidate(fresh, snapshot_directory)  # new data that breaks a rule is not written
        except checks.CheckFailed as error:
            raise RefreshError(f"{error}\n{KEPT}") from error
        try:
            snapshot.write_datasets(fresh, snapshot_directory)
        except Exception as error:
            raise RefreshError(f"Kunne ikke skrive nytt datagrunnlag ({error}). {KEPT}") from error
        result.written = True
    return result


def _specs(table_ids: Iterable[str] | None) -> list[TableSpec]:
    if table_ids is None:
        return list(TABLES.values())
    try:
        return [table_spec(str(table_id)) for table_id in table_ids]
    except KeyError as error:
        raise RefreshError(error.args[0]) from None


def _seconds(max_age: timedelta | float) -> float:
    return max_age.total_seconds() if isinstance(max_age, timedelta) else float(max_age)


def _manifest_updated(directory: Path | None) -> dict[str, str | None]:
    from nokkeltall import snapshot  # noqa: PLC0415

    try:
        datasets = snapshot.read_manifest(directory)["datasets"]
    except snapshot.SnapshotError:
        return {}
    return {name: entry.get("updated") for name, entry in datasets.items()}


def _refresh_table(spec, client, known, force, report) -> tuple[TableOutcome, Dataset | None]:
    report(Progress(spec.table_id, spec.title, "metadata", 0, 0))
    metadata = client.metadata(spec.table_id)
    stamp = metadata.get("updated")
    if not force and stamp and known.get(spec.dataset_name) == stamp:
        report(Progress(spec.table_id, spec.title, "uendret", 0, 0))
        return TableOutcome(spec.table_id, spec.dataset_name, "unchanged", stamp), None

    all_codes = dimension_codes(metadata)
    selection = resolve_selection(spec, all_codes)
    queries = client.data_queries(spec.table_id, selection, all_codes)
    documents = []
    for number, params in enumerate(queries, start=1):
        report(Progress(spec.table_id, spec.title, "data", number - 1, len(queries)))
        documents.append(client.data(spec.table_id, params, expected_dimensions=spec.dimensions))
    report(Progress(spec.table_id, spec.title, "data", len(queries), len(queries)))

    source = describe_source(client, spec, queries)
    dataset = dataset_from_documents(documents, spec, source=source)
    if dataset.frame.empty:
        raise SsbError(
            f"SSB sendte ingen tall for tabell {spec.table_id} (alle verdiene mangler); "
            "det er ikke en oppdatering.",
            spec.table_id,
        )
    dataset.updated = dataset.updated or stamp
    if not force and dataset.updated and known.get(spec.dataset_name) == dataset.updated:
        report(Progress(spec.table_id, spec.title, "uendret", len(queries), len(queries)))
        return TableOutcome(spec.table_id, spec.dataset_name, "unchanged", dataset.updated), None
    report(Progress(spec.table_id, spec.title, "ferdig", len(queries), len(queries)))
    outcome = TableOutcome(
        spec.table_id, spec.dataset_name, "updated", dataset.updated, len(dataset.frame), len(queries)
    )
    return outcome, dataset


def resolve_selection(spec: TableSpec, all_codes: dict[str, list[str]]) -> dict[str, list[str]]:
    """Explicit value codes per dimension, checked against the table's metadata."""
    missing = [d for d in spec.dimensions if d not in all_codes]
    if missing:
        raise SpecMismatch(
            f"Tabell {spec.table_id} hos SSB mangler dimensjonene {', '.join(missing)}; "
            "hentespesifikasjonen må oppdateres.",
            spec.table_id,
        )
    selection = {}
    for dimension, wanted in spec.selection.items():
        available = all_codes[dimension]
        if wanted == ALL:
            selection[dimension] = list(available)
        elif wanted == MUNICIPALITIES:
            selection[dimension] = [code for code in available if is_municipality_code(code)]
        else:
            unknown = [code for code in wanted if code not in available]
            if unknown:
                raise SpecMismatch(
                    f"Tabell {spec.table_id} hos SSB har ikke kodene {', '.join(unknown)} for "
                    f"{dimension}; hentespesifikasjonen må oppdateres.",
                    spec.table_id,
                )
            selection[dimension] = list(wanted)
        if not selection[dimension]:
            raise SsbError(
                f"Tabell {spec.table_id} hos SSB har ingen kommunekoder i {dimension}.", spec.table_id
            )
    return selection


def describe_source(client: PxWebClient, spec: TableSpec, queries: list[dict[str, str]]) -> str:
    """API URL + query, as stored in the manifest (the first query; the count if split)."""
    first = client.data_url(spec.table_id, queries[0]) if queries else client.base_url
    if len(queries) <= 1:
        return first
    return f"{first} (+{len(queries) - 1} delspørringer med samme utvalg)"
