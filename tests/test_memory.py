"""The server's memory settings: the allocator (nokkeltall/memory.py): a freed large block leaves the
process; and the environment it runs in (config.SERVER_ENVIRONMENT) the same for `make run`, the browser
tests and the benchmark."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nokkeltall import config

SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from nokkeltall import memory

    def rss_mb():
        status = open("/proc/self/status").read()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024

    if sys.argv[1] == "set":
        assert memory.return_large_blocks()
    big = np.ones(20_000_000 // 8)  # freeing a 20 MB block raises glibc's own threshold …
    del big
    before = rss_mb()
    blocks = [np.ones(2_000_000 // 8) for _ in range(30)]  # … so these 2 MB blocks come from the heap
    del blocks[:-1]  # all but the last freed: a heap cannot shrink below a block still in use
    print(rss_mb() - before)
    """
)


def kept_after_freeing(mode: str) -> float:
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True)
    return float(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_large_blocks_leave_the_process():
    assert kept_after_freeing("default") > 40  # the behaviour the setting is for …
    assert kept_after_freeing("set") < 10  # … and the setting undoes it


def test_make_run_starts_the_server_as_the_browser_tests_and_the_benchmark_do():
    """`make run` sets config.SERVER_ENVIRONMENT, which tests/e2e/conftest.py and bench/run.py apply."""
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    run = next(line for line in makefile.splitlines() if "streamlit run app.py" in line)
    assert config.SERVER_ENVIRONMENT  # else the line below checks nothing
    for name, value in config.SERVER_ENVIRONMENT.items():
        assert f"{name}={value} " in run, run
