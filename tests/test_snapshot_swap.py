"""The snapshot swap killed between every pair of its steps: the next start finds a complete snapshot
(the old one or the new one) and no leftovers; killed database builds' temporary files are removed and
``nokkeltall status`` says so.

Each case forks a child that writes a new version and dies with ``os._exit`` (no clean-up, like
``kill -9``) at one named step; the parent then runs the start-up recovery.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from nokkeltall import cli, db, durable, snapshot
from nokkeltall.datasets import Dataset

KILLED = 77
STEPS = ["staged", "published", "linked", "moved-aside", "switched", "retired", "cleaned"]


def observations(name: str, value: float) -> Dataset:
    frame = pd.DataFrame([{"region_code": "1835", "year": 2022, "measure": "m", "value": value}])
    return Dataset(name, "observations", frame, "12134", "Tittel", f"{name}.csv", updated="2026-02-20")


def plain_snapshot(root: Path) -> Path:
    """A plain ``snapshot`` directory, as a fresh clone of the repository has it (and the first write)."""
    snapshot.write_datasets([observations("a", 1.0)], root / "snapshot")
    assert (root / "snapshot").is_dir() and not (root / "snapshot").is_symlink()
    return root / "snapshot"


def linked_snapshot(root: Path) -> Path:
    """A ``snapshot`` symlink to a version, as after an earlier refresh or import."""
    for _ in range(2):  # the first write makes a plain directory, the second a version and the symlink
        snapshot.write_datasets([observations("a", 1.0)], root / "snapshot")
    assert (root / "snapshot").is_symlink()
    return root / "snapshot"


def write_and_die_at(step: str, target: Path, exchange: bool = True) -> int:
    """Fork a writer that is killed at ``step``; returns its exit status (KILLED when it got there)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns to pytest
        code = 1
        try:
            if not exchange:
                durable.exchange = lambda first, second: False
            snapshot._checkpoint = lambda name: os._exit(KILLED) if name == step else None
            snapshot.write_datasets([observations("a", 2.0), observations("b", 2.0)], target)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def assert_complete_and_tidy(target: Path, versions=((1.0, {"a"}), (2.0, {"a", "b"}))) -> float:
    """The snapshot is whole (every file present and matching its checksum) and nothing else is left;
    returns the value of dataset «a» (1.0 old, 2.0 new)."""
    assert target.exists(), "no snapshot after the recovery"
    assert snapshot.verify(target) and not any(snapshot.verify(target).values())
    names = sorted(p.name for p in target.parent.iterdir())
    assert names in (["snapshot"], ["snapshot", "snapshot-versions"]), names
    if target.is_symlink():
        assert [p.resolve() for p in snapshot.versions_dir(target).iterdir()] == [target.resolve()]
    elif snapshot.versions_dir(target).exists():
        assert not list(snapshot.versions_dir(target).iterdir())
    value = snapshot.load_dataset("a", target)["value"].iloc[0]
    datasets = set(snapshot.read_manifest(target)["datasets"])
    assert (value, datasets) in versions, "a mix of the old and the new"
    return value


def reached(start: str, step: str, exchange: bool) -> bool:
    """Two renames (no exchange) happen only when a plain directory is replaced; that path moves the
    old directory straight to its leftover name, so it has no separate «retired» step."""
    two_renames = start == "plain" and not exchange
    return {"moved-aside": two_renames, "retired": not two_renames}.get(step, True)


CASES = [
    (start, step, exchange)
    for start in ("plain", "linked")
    for exchange in (True, False)
    for step in STEPS
    if reached(start, step, exchange)
]


@pytest.mark.parametrize(("start", "step", "exchange"), CASES)
def test_killed_swap_is_recovered_on_the_next_start(tmp_path, start, step, exchange):
    root = tmp_path / "data"
    root.mkdir()
    target = plain_snapshot(root) if start == "plain" else linked_snapshot(root)
    assert write_and_die_at(step, target, exchange) == KILLED, f"the writer never reached «{step}»"
    actions = db.recover(root / "nokkeltall.duckdb", target)
    value = assert_complete_and_tidy(target)
    # before the switch the old version stays; killed in the two-rename gap, the new one is taken
    assert value == (1.0 if step in ("staged", "published", "linked") else 2.0)
    if step != "cleaned":
        assert actions, "the recovery says what it did"
    assert db.recover(root / "nokkeltall.duckdb", target) == []  # a second start finds nothing to do
    # and the next write works as usual
    snapshot.write_datasets([observations("c", 3.0)], target)
    assert_complete_and_tidy(target, versions=((1.0, {"a", "c"}), (2.0, {"a", "b", "c"})))


def test_old_two_rename_swap_killed_in_the_gap_is_put_back(tmp_path):
    """The swap before this fix: ``snapshot`` renamed to ``.snapshot-old-*``, killed before the new one
    was renamed in. Only ``.snapshot-old-*`` and ``.snapshot-new-*`` were left; the start puts the old
    one back."""
    root = tmp_path / "data"
    root.mkdir()
    target = plain_snapshot(root)
    os.replace(target, root / ".snapshot-old-4242-1764480000")
    shutil.copytree(root / ".snapshot-old-4242-1764480000", root / ".snapshot-new-x1y2z3")
    (root / ".snapshot-new-x1y2z3" / "a.parquet").unlink()  # half written
    actions = db.recover(root / "nokkeltall.duckdb", target)
    assert any("satte .snapshot-old-4242-1764480000 tilbake" in a for a in actions)
    assert assert_complete_and_tidy(target) == 1.0


def test_a_running_writers_files_are_left_alone(tmp_path):
    """Recovery in one process (a page starting) must not delete what another running process is writing."""
    root = tmp_path / "data"
    root.mkdir()
    target = linked_snapshot(root)
    mine = root / f".snapshot-new{durable.owner_tag()}abc"
    mine.mkdir()
    building = root / f"nokkeltall.duckdb.build{durable.owner_tag()}xyz.tmp"
    building.write_bytes(b"x")
    assert db.recover(root / "nokkeltall.duckdb", target) == []
    assert mine.exists() and building.exists()


def test_killed_builds_leave_nothing_and_status_says_what_it_removed(writable_data_dir, capsys):
    database = writable_data_dir / "nokkeltall.duckdb"
    for _ in range(3):  # kill a real build three times, in the middle of the harmonisation
        pid = os.fork()
        if pid == 0:
            try:
                db._harmonise = lambda con: os._exit(KILLED)
                db.build(database, writable_data_dir / "snapshot")
            finally:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == KILLED
    (writable_data_dir / "nokkeltall.duckdb.k3j4l5.tmp").write_bytes(b"from an older version")  # old naming
    (writable_data_dir / "nokkeltall.duckdb.k3j4l5.tmp.wal").write_bytes(b"x")
    leftovers = list(writable_data_dir.glob("nokkeltall.duckdb.*.tmp*"))
    assert len(leftovers) >= 5
    assert cli.main(["status"]) == 0
    err = capsys.readouterr().err
    assert f"Ryddet: Fjernet {len(leftovers)} midlertidige filer etter avbrutte bygg av databasen" in err
    assert not list(writable_data_dir.glob("nokkeltall.duckdb.*.tmp*"))
    assert cli.main(["status"]) == 0
    assert "Ryddet" not in capsys.readouterr().err


def test_status_says_it_restored_a_missing_snapshot(writable_data_dir, capsys):
    target = writable_data_dir / "snapshot"
    snapshot.write_datasets([observations("a", 1.0)], target)  # the plain directory becomes a version
    version = target.resolve()
    target.unlink()  # as if killed between the two renames of the old swap
    assert cli.main(["status"]) == 0
    err = capsys.readouterr().err
    assert (
        f"Ryddet: Øyeblikksbildet manglet etter et avbrutt bytte; tok i bruk versjonen {version.name}."
    ) in err
    assert target.resolve() == version
