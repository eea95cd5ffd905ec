"""The snapshot: one compressed Parquet file per dataset plus ``manifest.json``.

Writes are atomic at the level of the whole directory: a new directory is built beside the
current one (unchanged files are hard-linked or copied), then swapped in with two renames. A
failure at any point before the swap leaves the previous snapshot byte for byte intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nokkeltall import config
from nokkeltall.datasets import KINDS, Dataset, conform

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class SnapshotError(RuntimeError):
    """The snapshot is missing, corrupt or inconsistent (message in Norwegian, names the file)."""


def _directory(directory: Path | None) -> Path:
    return Path(directory) if directory is not None else config.snapshot_dir()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(directory: Path | None = None) -> dict:
    path = _directory(directory) / MANIFEST
    if not path.exists():
        return {"format_version": FORMAT_VERSION, "datasets": {}}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SnapshotError(f"{path.name} er ødelagt og kan ikke leses ({error})") from error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("datasets"), dict):
        raise SnapshotError(f"{path.name} har feil innhold (mangler «datasets»)")
    return manifest


def _years(frame: pd.DataFrame) -> list[int] | None:
    if "year" not in frame.columns or frame.empty:
        return None
    return [int(frame["year"].min()), int(frame["year"].max())]


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, compression="zstd", compression_level=9)


def _entry(dataset: Dataset, file_path: Path, fetched: str) -> dict:
    return {
        "file": file_path.name,
        "kind": dataset.kind,
        "table_id": dataset.table_id,
        "title": dataset.title,
        "source": dataset.source,
        "publisher": dataset.publisher,
        "licence": dataset.licence,
        "updated": dataset.updated,
        "fetched": fetched,
        "caveat": dataset.caveat,
        "rows": int(len(dataset.frame)),
        "years": _years(dataset.frame),
        "sha256": sha256_of(file_path),
        **({"extra": dataset.extra} if dataset.extra else {}),
    }


def write_datasets(datasets: list[Dataset], directory: Path | None = None) -> None:
    """Add or replace ``datasets`` in the snapshot, atomically (all or nothing)."""
    target = _directory(directory)
    names = [d.name for d in datasets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SnapshotError(f"samme datasettnavn brukt flere ganger: {', '.join(duplicates)}")
    manifest = read_manifest(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".snapshot-new-", dir=target.parent))
    try:
        _copy_existing(target, staging)
        fetched = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        for dataset in datasets:
            file_path = staging / f"{dataset.name}.parquet"
            # the staging copy of a replaced dataset is a hard link to the live file: remove the
            # link first, or writing through it would change the current snapshot before the swap
            file_path.unlink(missing_ok=True)
            _write_parquet(dataset.frame, file_path)
            manifest["datasets"][dataset.name] = _entry(dataset, file_path, fetched)
        manifest["format_version"] = FORMAT_VERSION
        manifest["written"] = fetched
        manifest["datasets"] = dict(sorted(manifest["datasets"].items()))
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _copy_existing(source: Path, staging: Path) -> None:
    if not source.is_dir():
        return
    for path in source.iterdir():
        if path.is_file() and path.name != MANIFEST:
            try:
                os.link(path, staging / path.name)
            except OSError:
                shutil.copy2(path, staging / path.name)


def _swap_in(staging: Path, target: Path) -> None:
    if target.exists():
        old = target.parent / f".snapshot-old-{os.getpid()}-{datetime.now().timestamp():.0f}"
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)


def load_dataset(name: str, directory: Path | None = None, *, verify: bool = True) -> pd.DataFrame:
    """Read one dataset, checking its checksum and schema against the manifest."""
    folder = _directory(directory)
    entry = read_manifest(folder)["datasets"].get(name)
    if entry is None:
        raise SnapshotError(f"datasettet «{name}» finnes ikke i øyeblikksbildet")
    path = folder / entry["file"]
    if not path.exists():
        raise SnapshotError(f"{path.name} mangler i øyeblikksbildet")
    if verify and sha256_of(path) != entry["sha256"]:
        raise SnapshotError(f"{path.name} er endret eller ødelagt (kontrollsummen stemmer ikke)")
    try:
        frame = pq.read_table(path).to_pandas()
    except Exception as error:
        raise SnapshotError(f"{path.name} er ødelagt og kan ikke leses ({error})") from error
    if entry["kind"] not in KINDS:
        raise SnapshotError(f"{path.name}: ukjent datasett-type {entry['kind']!r}")
    return conform(frame, entry["kind"])


def verify(directory: Path | None = None) -> dict[str, str | None]:
    """Check every dataset file; returns name → None (fine) or a Norwegian error message."""
    folder = _directory(directory)
    problems: dict[str, str | None] = {}
    for name, entry in read_manifest(folder)["datasets"].items():
        path = folder / entry["file"]
        if not path.exists():
            problems[name] = f"{entry['file']} mangler"
        elif sha256_of(path) != entry["sha256"]:
            problems[name] = f"{entry['file']} er endret eller ødelagt (kontrollsummen stemmer ikke)"
        else:
            problems[name] = _unreadable(path)
    return problems


def _unreadable(path: Path) -> str | None:
    """A Norwegian message when the file is no readable Parquet file (its footer is checked)."""
    try:
        pq.read_metadata(path)
    except Exception as error:  # noqa: BLE001 — pyarrow raises several types for a broken file
        return f"{path.name} er ødelagt og kan ikke leses ({str(error).splitlines()[0]})"
    return None
