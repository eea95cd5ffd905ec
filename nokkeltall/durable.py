"""Durable file-system steps: fsync of files and directories, an atomic swap of two paths, and
temporary names that carry their writer's process id (so a start-up can tell a killed writer's
leftover from a file another running process is still writing).
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_OWNER = re.compile(r"-p(\d+)-")


def fsync_file(path: str | os.PathLike) -> None:
    """Flush a written file's bytes to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | os.PathLike) -> None:
    """Flush a directory's entries (a rename or a new file in it) to the disk."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # e.g. Windows, where directories cannot be opened; renames there are durable anyway
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def owner_tag() -> str:
    """The part of a temporary name that names this process: ``-p<pid>-``."""
    return f"-p{os.getpid()}-"


def owner_alive(name: str) -> bool:
    """True when ``name`` carries the id of a process that is still running (not this one's leftovers
    from before a restart: a name without an id, or with a dead process's id, is a leftover)."""
    found = _OWNER.search(name)
    if not found:
        return False
    pid = int(found.group(1))
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else
    return True


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False when not supported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(first))
