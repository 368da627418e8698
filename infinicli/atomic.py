"""Atomic writes: every file infini writes appears whole or not at all (temp file, then rename).

The temp file is made by mkstemp in the target's directory: a name nobody can guess, created
exclusively, so it is never a file or symlink someone planted. The rename replaces the target's
directory entry (a symlink there is replaced, not written through; a hard link is detached).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from infinicli.errors import InfiniError


def check_writable(path: str | os.PathLike[str] | None, folder: bool = False, force: bool = True) -> None:
    """Refuse, before any long work, an output that could not be written: a file target whose folder
    is missing or read-only or that is itself a folder, or that exists when not `force`d; with
    `folder`, an output folder that is a file or that cannot be created or written in. None (no output
    asked for) passes."""
    if path is None:
        return
    target = Path(path)
    if folder:
        if target.exists() and not target.is_dir():
            raise InfiniError(f"{target} is not a folder")
        existing = target
        while not existing.exists():  # the folder is made when needed: its nearest existing parent must allow it
            existing = existing.parent
        if not existing.is_dir():
            raise InfiniError(f"cannot make the folder {target}: {existing} is not a folder")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise InfiniError(f"cannot write in {existing} (permission denied)")
        return
    if target.is_dir():
        raise InfiniError(f"{target} is a folder; give a file name")
    parent = target.parent
    if not parent.is_dir():
        raise InfiniError(f"cannot write {target}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InfiniError(f"cannot write {target}: the folder {parent} is not writable")
    if not force and target.exists():
        raise InfiniError(f"{target} exists; pass --force to replace it")


def _mode_for(target: Path) -> int:
    """The target's own permission bits when it is a regular file, else what a new file gets."""
    try:
        info = os.lstat(target)
        if stat.S_ISREG(info.st_mode):
            return stat.S_IMODE(info.st_mode)
    except FileNotFoundError:
        pass
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` if the block succeeds.

    The temporary name keeps the file's suffix, since some writers (matplotlib) choose a format by it.
    The result keeps the mode of the file it replaces (a 0600 file stays 0600); a new file gets the
    umask's mode, whatever mode the writer gave it (safetensors makes 0600 files).
    """
    target = Path(path)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # writers may replace the file by their own rename (safetensors does), so its inode can change
        if not stat.S_ISREG(os.lstat(tmp).st_mode):
            raise InfiniError(f"{tmp} is no longer a regular file; {target} was left as it was")
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
