"""The snapshot: one compressed Parquet file per dataset plus ``manifest.json``.

Writes are atomic at every instant. A new version is built in a staging directory beside the
current one (unchanged files are hard-linked or copied, every file and directory fsynced), published
with one rename into ``snapshot-versions/<version>``, and made current by replacing the
``snapshot`` symlink with one rename. A plain ``snapshot`` directory (as a fresh clone has it) is
the current version too (the first write to a missing ``snapshot`` makes one, with one rename); the
first switch away from it swaps directory and symlink in one step (``renameat2(RENAME_EXCHANGE)``).
A killed writer leaves only temporary names that ``recover`` (run on every start) removes, or — if
``snapshot`` itself is missing — a complete version it points ``snapshot`` at.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nokkeltall import config, durable
from nokkeltall.datasets import KINDS, Dataset, conform

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
VERSIONS_SUFFIX = "-versions"  # data/snapshot-versions/<version>/, pointed at by the data/snapshot symlink
STAGING_PREFIX, OLD_PREFIX, LINK_PREFIX = ".snapshot-new", ".snapshot-old", ".snapshot-link"


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
    durable.fsync_file(path)


def _checkpoint(step: str) -> None:
    """A named point between two steps of the swap; does nothing (tests stop the process here)."""


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
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + durable.owner_tag(), dir=target.parent))
    try:
        _copy_existing(target, staging)
        fetched = datetime.now(UTC).replace(microsecond=0).isoformat()
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
        durable.fsync_file(staging / MANIFEST)
        durable.fsync_dir(staging)
        _checkpoint("staged")
        if os.path.lexists(target):
            _swap_in(staging, target)
        else:  # the first snapshot (e.g. «make snapshot»): a plain directory, as it is checked in to git
            os.replace(staging, target)
            durable.fsync_dir(target.parent)
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
                durable.fsync_file(staging / path.name)


def versions_dir(target: Path) -> Path:
    return target.parent / f"{target.name}{VERSIONS_SUFFIX}"


def _swap_in(staging: Path, target: Path) -> None:
    """Publish ``staging`` as a new version (one rename), then point ``target`` at it (one rename)."""
    versions = versions_dir(target)
    versions.mkdir(exist_ok=True)
    token = durable.owner_tag() + secrets.token_hex(3)
    version = versions / (datetime.now(UTC).strftime("v%Y%m%dT%H%M%S%f") + token)
    link = target.parent / (LINK_PREFIX + token)
    os.replace(staging, version)
    durable.fsync_dir(versions)
    durable.fsync_dir(target.parent)
    try:
        _checkpoint("published")
        os.symlink(os.path.relpath(version, target.parent), link)
        _checkpoint("linked")
        previous = _point(target, link, token)
    except BaseException:
        _remove(link)
        _remove(version)
        raise
    durable.fsync_dir(target.parent)
    _checkpoint("switched")
    if previous is not None:
        _retire(previous, target.parent, token)
    _checkpoint("cleaned")


def _point(target: Path, link: Path, token: str) -> Path | None:
    """Make ``target`` the symlink ``link``; returns what it was before, to be removed (or None)."""
    if target.is_symlink() or not os.path.lexists(target):
        before = target.resolve() if target.is_symlink() else None
        os.replace(link, target)
        return before if before is not None and before.parent == versions_dir(target).resolve() else None
    # a plain directory (the snapshot as shipped in git): swap it with the symlink in one step
    if durable.exchange(link, target):
        return link  # now holds the old directory
    old = target.parent / (OLD_PREFIX + token)
    os.replace(target, old)  # no RENAME_EXCHANGE: two renames, the gap covered by ``recover``
    try:
        _checkpoint("moved-aside")
        os.replace(link, target)
    except BaseException:
        os.replace(old, target)
        raise
    return old


def _retire(path: Path, parent: Path, token: str) -> None:
    """Remove an old version: renamed to a leftover name first (a kill midway is then recognised)."""
    doomed = parent / (OLD_PREFIX + token)
    if path != doomed:
        os.replace(path, doomed)
        durable.fsync_dir(parent)
        _checkpoint("retired")
    _remove(doomed)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def recover(directory: Path | None = None) -> list[str]:
    """Finish or undo a swap a killed process left half done; returns what was done (Norwegian).

    When ``snapshot`` is missing, it is pointed at the newest complete version (or a directory moved
    aside by an older swap is put back). Temporary names of processes no longer running are removed,
    as are versions nothing points at.
    """
    target = _directory(directory)
    if not target.parent.is_dir():
        return []
    actions = [] if target.exists() else _restore(target)  # missing, or a symlink to nothing
    current = target.resolve() if target.exists() else None
    return actions + _remove_leftovers(target.parent) + _remove_unused_versions(target, current)


def _remove_leftovers(parent: Path) -> list[str]:
    actions = []
    for path in sorted(parent.iterdir()):
        temporary = path.name.startswith((STAGING_PREFIX, OLD_PREFIX, LINK_PREFIX))
        if temporary and not durable.owner_alive(path.name):
            _remove(path)
            actions.append(f"Fjernet {path.name} (rester etter et avbrutt bytte av øyeblikksbildet).")
    return actions


def _remove_unused_versions(target: Path, current: Path | None) -> list[str]:
    versions = versions_dir(target)
    if not versions.is_dir():
        return []
    current_name = current.name if current is not None and current.parent == versions.resolve() else ""
    actions = []
    for path in sorted(versions.iterdir()):
        # a running writer's version newer than the current one is about to be switched to: kept
        pending = durable.owner_alive(path.name) and path.name > current_name
        if path.resolve() != current and not pending:
            _remove(path)
            actions.append(
                f"Fjernet {versions.name}/{path.name} (en versjon av øyeblikksbildet som ikke brukes)."
            )
    return actions


def _restore(target: Path) -> list[str]:
    parent, versions = target.parent, versions_dir(target)
    complete = sorted(p for p in versions.iterdir() if (p / MANIFEST).is_file()) if versions.is_dir() else []
    if complete:
        link = parent / (LINK_PREFIX + durable.owner_tag() + "restore")
        _remove(link)
        os.symlink(os.path.relpath(complete[-1], parent), link)
        os.replace(link, target)
        durable.fsync_dir(parent)
        return [f"Øyeblikksbildet manglet etter et avbrutt bytte; tok i bruk versjonen {complete[-1].name}."]
    aside = [p for p in parent.iterdir() if p.name.startswith(OLD_PREFIX) and (p / MANIFEST).is_file()]
    if not aside:
        return []
    newest = max(aside, key=lambda p: p.stat().st_mtime)
    _remove(target)  # a symlink to nothing
    os.replace(newest, target)
    durable.fsync_dir(parent)
    return [f"Øyeblikksbildet manglet etter et avbrutt bytte; satte {newest.name} tilbake som {target.name}."]


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
