"""Run ``nokkeltall`` as a child process and measure it: exit code, output, wall time, peak memory.

The child's own time after its imports (``work``) is what budgets are checked against: starting
Python and importing pandas takes seconds on a loaded machine and says nothing about the command.
The peak is the child's own ``VmHWM`` from ``/proc/self/status``, written by the child as it
exits. (``ru_maxrss`` from ``wait4`` or ``RUSAGE_CHILDREN`` is no good here: Linux carries the
spawning process's high-water mark into the child at ``exec``, so a child of a large pytest
process would report pytest's size.) A child still running after ``kill_after`` seconds is killed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str
    wall: float  # seconds, from spawn to exit
    work: float  # seconds after the imports (what the command itself took; inf if it could not say)
    peak: int  # bytes (the child's peak resident set size; -1 if it could not say)
    killed: bool


WRAPPER = """
import atexit, json, os, runpy, sys, time

import nokkeltall.cli  # the imports first: «work» is the command's own time after them

READY = time.monotonic()

def _record():
    with open("/proc/self/status") as status:
        kilobytes = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(os.environ["CHILD_MEASURE_FILE"], "w") as out:
        json.dump({"peak": kilobytes * 1024, "work": time.monotonic() - READY}, out)

atexit.register(_record)
sys.argv = ["nokkeltall", *sys.argv[1:]]
runpy.run_module("nokkeltall", run_name="__main__")
"""


def run_nokkeltall(args: list[str], env: dict[str, str], workdir: Path, kill_after: float = 40.0) -> Finished:
    out_path, err_path = workdir / "child-stdout.txt", workdir / "child-stderr.txt"
    measure_path = workdir / "child-measure.json"
    measure_path.unlink(missing_ok=True)
    started = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        pid = os.posix_spawn(
            sys.executable,
            [sys.executable, "-c", WRAPPER, *args],
            {**os.environ, **env, "CHILD_MEASURE_FILE": str(measure_path)},
            file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)],
        )
    killed = False
    while True:
        waited, status = os.waitpid(pid, os.WNOHANG)
        if waited:
            break
        if not killed and time.monotonic() - started > kill_after:
            os.kill(pid, 9)
            killed = True
        time.sleep(0.02)
    measured = json.loads(measure_path.read_text()) if measure_path.exists() else {}
    return Finished(
        code=os.waitstatus_to_exitcode(status),
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
        wall=time.monotonic() - started,
        peak=measured.get("peak", -1),
        work=measured.get("work", float("inf")),
        killed=killed,
    )
