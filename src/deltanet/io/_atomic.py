"""Atomic file replacement: readers see the old file or the complete new one, never a half-written one."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def atomic_write(path, write, where: str) -> Path:
    """Call `write(binary_file)` on a temporary file next to `path`, fsync it, `os.replace` it onto `path`.

    On any failure (including KeyboardInterrupt) the temporary file is removed and an existing `path` is
    left untouched. The new file keeps the permission bits of the file it replaces (0o644 for a new one).
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{where}: {path} is a directory; give a file name such as "
                                f"{path / 'model.npz'}")
    parent = path.parent
    if not parent.is_dir():
        raise FileNotFoundError(f"{where}: directory {parent} does not exist; create it first "
                                f"(e.g. Path({str(parent)!r}).mkdir(parents=True))")
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    tmp = tempfile.NamedTemporaryFile(dir=parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with tmp:
            write(tmp)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp.name, mode)
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise
    _fsync_directory(parent)
    return path


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); silently skipped where directories cannot be opened."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
