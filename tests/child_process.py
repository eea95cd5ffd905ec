"""Run ``nokkeltall`` as a child process and measure it: exit code, output, wall time, peak memory.

``os.wait4`` gives the child's own peak resident memory (``resource.RUSAGE_CHILDREN`` would be the
largest of all children so far). A child still running after ``kill_after`` seconds is killed.
"""

from __future__ import annotations

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
    wall: float  # seconds
    peak: int  # bytes (peak resident set size)
    killed: bool


def run_nokkeltall(args: list[str], env: dict[str, str], workdir: Path, kill_after: float = 40.0) -> Finished:
    out_path, err_path = workdir / "child-stdout.txt", workdir / "child-stderr.txt"
    started = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        pid = os.posix_spawn(
            sys.executable, [sys.executable, "-m", "nokkeltall", *args], {**os.environ, **env},
            file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)],
        )
    killed = False
    while True:
        waited, status, usage = os.wait4(pid, os.WNOHANG)
        if waited:
            break
        if not killed and time.monotonic() - started > kill_after:
            os.kill(pid, 9)
            killed = True
        time.sleep(0.02)
    return Finished(
        code=os.waitstatus_to_exitcode(status),
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
        wall=time.monotonic() - started,
        peak=usage.ru_maxrss * 1024,
        killed=killed,
    )
