"""The server's allocator setting (nokkeltall/memory.py): a freed large block leaves the process."""

import subprocess
import sys
import textwrap

import pytest

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
