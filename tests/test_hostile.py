"""Hostile input: a repository that plants a command, outputs aimed through symlinks or at places that
cannot be written, inputs that are not files, absurd options, and Ctrl-C. Each case must end in one
sentence on stderr and exit 2 (130 for Ctrl-C), before any model is loaded, with nothing written.

The CLI cases fail before the model loads, and name a missing .gguf as the model, so that a check that
went missing fails here at once instead of loading one."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infinicli import cli
from infinicli.sources import repo as repo_mod
from infinicli.sources.repo import summarize_scan, walk_repo

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
is_root = hasattr(os, "geteuid") and os.geteuid() == 0


def listing(root: Path) -> dict[str, tuple[int, int, bytes | None]]:
    """Every entry below root with its mode, size and (for small regular files) bytes."""
    seen = {}
    for p in sorted(root.rglob("*")):
        info = p.lstat()
        body = p.read_bytes() if stat.S_ISREG(info.st_mode) and info.st_size < 1 << 16 else None
        seen[str(p.relative_to(root))] = (info.st_mode, info.st_size, body)
    return seen


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str]:
    """`infini ARGS` in this process, through main(): (exit code, stderr)."""
    monkeypatch.setattr(sys, "argv", ["infini", *args])
    monkeypatch.delenv("INFINI_DEBUG", raising=False)
    before = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(SystemExit) as ended:
            cli.main()
    finally:
        signal.signal(signal.SIGINT, before)
    return ended.value.code, capsys.readouterr().err


def one_sentence(err: str, *phrases: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("infini: "), err
    assert "Traceback" not in err
    for phrase in phrases:
        assert phrase in err, err


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "doc.txt"
    path.write_text("The harbour master keeps the ledger.\n", encoding="utf-8")
    return path


@pytest.fixture
def no_model(tmp_path: Path) -> str:
    return str(tmp_path / "absent" / "model.gguf")


# --- a repository runs nothing ----------------------------------------------------------------------

def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=a@b", "-c", "user.name=t", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def planted_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A git repository whose own .git/config runs `touch MARKER` from every hook it can name."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root, marker = tmp_path / "repo", tmp_path / "MARKER"
    root.mkdir()
    (root / "README.md").write_text("# Planted\n")
    (root / ".gitignore").write_text("build/\n")
    (root / "build").mkdir()
    (root / "build" / "kept.py").write_text("KEPT = 1\n")  # tracked although ignored: only git lists it
    (root / "notes.txt").write_text("untracked, not ignored\n")
    _git(root, "init", "-q")
    _git(root, "add", "README.md", ".gitignore")
    _git(root, "add", "-f", "build/kept.py")
    _git(root, "commit", "-q", "-m", "init")
    hooks = root / ".git" / "planted-hooks"
    hooks.mkdir()
    for hook in ("post-index-change", "pre-commit", "post-checkout", "fsmonitor-watchman"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    (root / ".gitattributes").write_text("* filter=planted diff=planted\n")
    command = f"touch {marker}; false"
    for key, value in (("core.fsmonitor", command), ("core.hooksPath", str(hooks)),
                       ("filter.planted.clean", command), ("filter.planted.smudge", command),
                       ("filter.planted.process", command), ("diff.planted.textconv", command),
                       ("core.pager", command), ("core.sshCommand", command), ("core.askPass", command)):
        _git(root, "config", key, value)
    return root, marker


@needs_git
def test_the_planted_command_runs_under_plain_git(planted_repo: tuple[Path, Path]) -> None:
    """The trap is real: git itself, run as infini used to, runs it."""
    root, marker = planted_repo
    subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                   capture_output=True, check=False)
    assert marker.exists()


@needs_git
def test_scanning_a_repository_runs_nothing_from_its_config(planted_repo: tuple[Path, Path]) -> None:
    root, marker = planted_repo
    before = listing(root)
    scan = walk_repo(root)
    facts = summarize_scan(scan, len)
    assert not marker.exists()
    # git did the listing (a tracked file under an ignored folder is in), from the repository's own index
    assert [f.path for f in scan.files] == ["README.md", ".gitattributes", ".gitignore", "build/kept.py", "notes.txt"]
    assert facts["totals"]["files"] == 5
    assert listing(root) == before  # nor was anything in it written (no index refresh, no lock)


@needs_git
def test_info_exclude_still_applies_without_the_repository_config(planted_repo: tuple[Path, Path]) -> None:
    root, marker = planted_repo
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text("notes.txt\n")
    scan = walk_repo(root)
    assert "notes.txt" not in [f.path for f in scan.files]
    assert not marker.exists()


def test_named_pipe_in_a_repository_is_skipped_not_opened(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "tree"
    root.mkdir()
    (root / "a.py").write_text("A = 1\n")
    os.mkfifo(root / "pipe.py")
    t0 = time.monotonic()
    scan = walk_repo(root)
    assert time.monotonic() - t0 < 10
    assert [f.path for f in scan.files] == ["a.py"]
    assert {s.path: s.reason for s in scan.skipped} == {"pipe.py": repo_mod.NOT_REGULAR}


@needs_git
def test_named_pipe_as_gitignore_falls_back_to_the_walk(tmp_path: Path, monkeypatch) -> None:
    """git blocks on a .gitignore that is a named pipe: it is stopped, and the walk (which skips it) lists."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setattr(repo_mod, "GIT_TIMEOUT_S", 2)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_text("A = 1\n")
    _git(root, "init", "-q")
    os.mkfifo(root / ".gitignore")
    scan = walk_repo(root)
    assert [f.path for f in scan.files] == ["a.py"]
    assert {s.path: s.reason for s in scan.skipped} == {".gitignore": repo_mod.NOT_REGULAR}
