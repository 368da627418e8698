"""Tests for infinicli.sources.repo: repository walking, filters, chunks and summaries."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from infinicli.sources import SourceError
from infinicli.sources.repo import (
    detect_language,
    iter_repo_chunks,
    parse_size,
    summarize_scan,
    walk_repo,
)

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

MAX_SIZE = 2000


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=a@b", "-c", "user.name=t", *args],
                   cwd=cwd, check=True, capture_output=True)


def write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def build_tree(root: Path, outside: Path) -> None:
    """A small project with one of everything walk_repo must handle."""
    write(root / "README.md", "# Demo\n")
    write(root / "pyproject.toml", "[project]\nname = 'demo'\n")
    write(root / ".gitignore", "*.log\nbuild/\n")
    write(root / "src/pkg/__init__.py", "VERSION = 1\n")
    write(root / "src/pkg/config.py", "A = 1\nB = 2\nC = 3\n")
    write(root / "src/pkg/.gitignore", "secret.py\n")
    write(root / "src/pkg/secret.py", "TOKEN = 'x'\n")
    write(root / "tests/test_config.py", "def test():\n    pass\n")
    write(root / "scripts/run.sh", "#!/bin/sh\necho hi\n")
    write(root / "notes.txt", "untracked but not ignored\n")
    write(root / "debug.log", "ignored by *.log\n")
    write(root / "build/out.py", "ignored by build/\n")
    write(root / "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(root / "big.txt", "x" * (MAX_SIZE + 1))
    write(root / "latin.txt", "caf\xe9 cr\xe8me\n".encode("latin-1"))
    write(root / "bom.py", "\ufeffX = 'with bom'\n")
    write(root / "empty.py", "")
    write(outside / "secret.txt", "outside the tree\n")
    (root / "leak.txt").symlink_to(outside / "secret.txt")
    (root / "readme_link.md").symlink_to("README.md")
    (root / "outside_dir").symlink_to(outside, target_is_directory=True)


# What both walks (git and .gitignore) must agree on, in reading order.
EXPECTED_FILES = [
    "README.md",
    "pyproject.toml",
    ".gitignore",
    "bom.py",
    "notes.txt",
    "readme_link.md",
    "scripts/run.sh",
    "src/pkg/.gitignore",
    "src/pkg/__init__.py",
    "src/pkg/config.py",
    "tests/test_config.py",
]
EXPECTED_SKIPPED = {
    "big.txt": "too large",
    "build/": "ignored",
    "debug.log": "ignored",
    "empty.py": "empty",
    "latin.txt": "undecodable",
    "leak.txt": "symlink outside tree",
    "logo.png": "binary",
    "outside_dir": "symlink outside tree",
    "src/pkg/secret.py": "ignored",
}


@pytest.fixture(autouse=True)
def no_enclosing_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep git from finding a repository above the temp dir, so "plain" trees stay plain."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    build_tree(root, tmp_path / "outside")
    return root


@pytest.fixture
def git_tree(tree: Path) -> Path:
    git(tree, "init", "-q")
    git(tree, "add", "README.md", "pyproject.toml", ".gitignore", "src", "tests", "scripts",
        "logo.png", "big.txt", "latin.txt", "bom.py", "empty.py", "leak.txt", "readme_link.md")
    git(tree, "commit", "-q", "-m", "init")
    return tree


def paths(scan) -> list[str]:
    return [f.path for f in scan.files]


def reasons(scan) -> dict[str, str]:
    return {s.path: s.reason for s in scan.skipped}


@needs_git
def test_git_repo_lists_tracked_and_untracked_files(git_tree: Path) -> None:
    scan = walk_repo(git_tree, max_file_size=MAX_SIZE)
    assert scan.root == git_tree.resolve()
    assert paths(scan) == EXPECTED_FILES
    assert reasons(scan) == EXPECTED_SKIPPED


@needs_git
def test_git_tracked_file_wins_over_gitignore(git_tree: Path) -> None:
    write(git_tree / "build/keep.py", "force-added\n")
    git(git_tree, "add", "-f", "build/keep.py")
    scan = walk_repo(git_tree, max_file_size=MAX_SIZE)
    assert "build/keep.py" in paths(scan)
    assert reasons(scan)["debug.log"] == "ignored"


@needs_git
def test_git_subdirectory_root_lists_relative_paths(git_tree: Path) -> None:
    scan = walk_repo(git_tree / "src", max_file_size=MAX_SIZE)
    assert paths(scan) == ["pkg/.gitignore", "pkg/__init__.py", "pkg/config.py"]
    assert reasons(scan) == {"pkg/secret.py": "ignored"}


@needs_git
def test_git_deleted_tracked_file_is_not_listed(git_tree: Path) -> None:
    (git_tree / "scripts/run.sh").unlink()
    scan = walk_repo(git_tree, max_file_size=MAX_SIZE)
    assert "scripts/run.sh" not in paths(scan)
    assert "scripts/run.sh" not in reasons(scan)


@needs_git
def test_git_repo_without_git_binary_falls_back_to_gitignore(
        git_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    scan = walk_repo(git_tree, max_file_size=MAX_SIZE)
    assert paths(scan) == EXPECTED_FILES
    assert reasons(scan) == EXPECTED_SKIPPED


def test_plain_directory_applies_gitignore_rules(tree: Path) -> None:
    scan = walk_repo(tree, max_file_size=MAX_SIZE)
    assert paths(scan) == EXPECTED_FILES
    assert reasons(scan) == EXPECTED_SKIPPED


def test_plain_directory_never_enters_dot_git(tree: Path) -> None:
    write(tree / ".git/config", "[core]\n")
    write(tree / "sub/.git", "gitdir: elsewhere\n")
    scan = walk_repo(tree, max_file_size=MAX_SIZE)
    assert not [p for p in paths(scan) + list(reasons(scan)) if ".git/" in p or p.endswith(".git")]


def test_nested_gitignore_negation_and_anchoring(tmp_path: Path) -> None:
    write(tmp_path / ".gitignore", "*.tmp\n/top_only.txt\n")
    write(tmp_path / "a/.gitignore", "!keep.tmp\ndata/\n")
    for rel in ("x.tmp", "top_only.txt", "a/top_only.txt", "a/keep.tmp", "a/drop.tmp",
                "a/data/d.txt", "data/d.txt", "a/b/keep.tmp"):
        write(tmp_path / rel, "text\n")
    scan = walk_repo(tmp_path)
    assert paths(scan) == [".gitignore", "a/.gitignore", "a/b/keep.tmp", "a/keep.tmp",
                           "a/top_only.txt", "data/d.txt"]
    assert reasons(scan) == {"x.tmp": "ignored", "top_only.txt": "ignored",
                             "a/drop.tmp": "ignored", "a/data/": "ignored"}


def test_symlink_inside_tree_is_read_but_symlinked_dir_is_not_entered(tmp_path: Path) -> None:
    write(tmp_path / "real/mod.py", "X = 1\n")
    (tmp_path / "alias").symlink_to("real", target_is_directory=True)
    (tmp_path / "mod_link.py").symlink_to("real/mod.py")
    (tmp_path / "dangling.py").symlink_to("missing.py")
    scan = walk_repo(tmp_path)
    assert paths(scan) == ["mod_link.py", "real/mod.py"]
    assert reasons(scan) == {"alias": "symlinked directory", "dangling.py": "broken symlink"}
    assert next(iter_repo_chunks(scan)).text.endswith("X = 1\n")


@pytest.mark.parametrize("with_git", [False, pytest.param(True, marks=needs_git)])
def test_include_and_exclude_globs(tree: Path, with_git: bool) -> None:
    if with_git:
        git(tree, "init", "-q")
    scan = walk_repo(tree, include=["*.py", "scripts/"], exclude=["tests/", "__init__.py"],
                     max_file_size=MAX_SIZE)
    assert paths(scan) == ["bom.py", "scripts/run.sh", "src/pkg/config.py"]
    skipped = reasons(scan)
    assert skipped["tests/test_config.py"] == "excluded"
    assert skipped["src/pkg/__init__.py"] == "excluded"
    assert skipped["README.md"] == "not included"
    assert skipped["latin.txt"] == "not included"  # globs are applied before content checks
    assert skipped["empty.py"] == "empty"
    assert skipped["debug.log"] == "ignored"


def test_lock_files_and_machine_logs_are_skipped_unless_included(tmp_path: Path) -> None:
    write(tmp_path / "app.py", "X = 1\n")
    write(tmp_path / "poetry.lock", "[[package]]\n")
    write(tmp_path / "web/package-lock.json", "{}\n")
    write(tmp_path / "runs/train-log.jsonl", '{"step": 1}\n')
    write(tmp_path / "server.log", "started\n")
    scan = walk_repo(tmp_path, max_file_size=MAX_SIZE)
    assert paths(scan) == ["app.py"]
    assert set(reasons(scan).values()) == {"lock file or machine log"}
    assert len(reasons(scan)) == 4
    asked = walk_repo(tmp_path, include=["*.jsonl"], max_file_size=MAX_SIZE)
    assert paths(asked) == ["runs/train-log.jsonl"]


def test_missing_or_file_root_raises_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        walk_repo(tmp_path / "nope")
    write(tmp_path / "f.py", "x\n")
    with pytest.raises(SourceError, match="not a directory"):
        walk_repo(tmp_path / "f.py")


def test_binary_by_control_characters_without_nul(tmp_path: Path) -> None:
    write(tmp_path / "noise.dat", bytes([1, 2, 3, 4, 5, 6, 14, 15]) * 100)
    write(tmp_path / "ansi.txt", "\x1b[31mred\x1b[0m\tand\ttabs\r\n")
    scan = walk_repo(tmp_path)
    assert paths(scan) == ["ansi.txt"]
    assert reasons(scan) == {"noise.dat": "binary"}


def test_file_metadata(tree: Path) -> None:
    files = {f.path: f for f in walk_repo(tree, max_file_size=MAX_SIZE).files}
    config = files["src/pkg/config.py"]
    assert (config.language, config.size, config.lines) == ("Python", 18, 3)
    assert files["README.md"].language == "Markdown"
    assert files["scripts/run.sh"].language == "Shell"
    assert files["pyproject.toml"].language == "TOML"


@pytest.mark.parametrize("path, language", [
    ("Makefile", "Makefile"), ("docker/Dockerfile", "Dockerfile"), ("a.rs", "Rust"),
    ("a.go", "Go"), ("a.tsx", "TypeScript"), ("a.mjs", "JavaScript"), ("a.hpp", "C++"),
    ("a.h", "C"), ("x.yml", "YAML"), ("x.json", "JSON"), ("i.html", "HTML"), ("s.css", "CSS"),
    ("notes.txt", "Text"), ("A.PY", "Python"), ("blob.xyz", "Other"), ("noext", "Other"),
])
def test_detect_language(path: str, language: str) -> None:
    assert detect_language(path) == language


def test_chunks_have_headers_bodies_and_origins(tree: Path) -> None:
    scan = walk_repo(tree, max_file_size=MAX_SIZE)
    chunks = list(iter_repo_chunks(scan))
    assert [c.origin for c in chunks] == EXPECTED_FILES
    by_origin = {c.origin: c.text for c in chunks}
    assert by_origin["src/pkg/config.py"] == (
        "\n\n===== File: src/pkg/config.py (Python) =====\nA = 1\nB = 2\nC = 3\n")
    assert by_origin["bom.py"].endswith("=====\nX = 'with bom'\n")  # BOM dropped


def test_chunks_are_read_lazily(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "first\n")
    write(tmp_path / "b.txt", "before\n")
    scan = walk_repo(tmp_path)
    chunks = iter_repo_chunks(scan)
    assert next(chunks).text.endswith("first\n")
    write(tmp_path / "b.txt", "after\n")
    assert next(chunks).text.endswith("after\n")
    os.remove(tmp_path / "a.txt")
    with pytest.raises(SourceError, match="a.txt"):
        list(iter_repo_chunks(scan))


@pytest.mark.parametrize("text, expected", [
    ("2000", 2000), ("500k", 500_000), ("500 KB", 500_000), ("1MB", 1_000_000),
    ("1.5m", 1_500_000), ("2MiB", 2 * 1024 * 1024), ("1G", 10**9), ("10b", 10),
])
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "MB", "1XB", "-5", "0", "1..5k", "abc"])
def test_parse_size_rejects_bad_values(text: str) -> None:
    with pytest.raises(ValueError, match="Invalid size"):
        parse_size(text)


def test_summarize_scan(tree: Path) -> None:
    scan = walk_repo(tree, max_file_size=MAX_SIZE)
    summary = summarize_scan(scan, count_tokens=lambda text: len(text.split()))
    langs = {row["language"]: row for row in summary["languages"]}
    assert set(langs) == {"Python", "Markdown", "TOML", "Text", "Shell"}
    # Python: bom.py, __init__.py, config.py, test_config.py.
    assert langs["Python"]["files"] == 4
    assert langs["Python"]["lines"] == 1 + 1 + 3 + 2
    chunk_tokens = {c.origin: len(c.text.split()) for c in iter_repo_chunks(scan)}
    assert langs["Python"]["tokens"] == sum(
        chunk_tokens[p] for p in ("bom.py", "src/pkg/__init__.py", "src/pkg/config.py",
                                  "tests/test_config.py"))
    assert [row["tokens"] for row in summary["languages"]] == sorted(
        (row["tokens"] for row in summary["languages"]), reverse=True)
    assert summary["totals"] == {
        "files": len(EXPECTED_FILES),
        "lines": sum(f.lines for f in scan.files),
        "tokens": sum(chunk_tokens.values()),
        "bytes": sum(f.size for f in scan.files),
    }
    largest = summary["largest"]
    assert len(largest) == 5
    assert largest[0]["path"] == "src/pkg/config.py"  # 6 header words + 9 body words
    assert [r["tokens"] for r in largest] == sorted(chunk_tokens.values(), reverse=True)[:5]
    # every file read is listed, in reading order, not only the largest
    assert [r["path"] for r in summary["read"]] == [f.path for f in scan.files]
    assert {r["path"]: r["tokens"] for r in summary["read"]} == chunk_tokens
    assert summary["skipped"] == {
        "binary": ["logo.png"],
        "empty": ["empty.py"],
        "ignored": ["build/", "debug.log", "src/pkg/secret.py"],
        "symlink outside tree": ["leak.txt", "outside_dir"],
        "too large": ["big.txt"],
        "undecodable": ["latin.txt"],
    }


def test_a_folder_its_repository_ignores_is_read_when_asked_for(tmp_path):
    from infinicli.sources.repo import walk_repo

    repo = tmp_path / "repo"
    (repo / "lib" / "pkg").mkdir(parents=True)
    (repo / ".gitignore").write_text("lib/\n")
    (repo / "lib" / "pkg" / "a.py").write_text("x = 1\n")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert [f.path for f in walk_repo(repo).files] == [".gitignore"]  # ignored from the top
    assert [f.path for f in walk_repo(repo / "lib" / "pkg").files] == ["a.py"]  # read when asked for (site-packages)


@pytest.mark.parametrize("use_git", [False, True])
def test_file_names_that_are_not_utf8_are_read_and_shown_escaped(tmp_path: Path, use_git: bool) -> None:
    import json

    root = tmp_path / "proj"
    root.mkdir()
    raw = os.fsencode(root) + b"/caf\xe9.py"
    with open(raw, "wb") as fh:
        fh.write(b"def parse_config():\n    return 1\n")
    with open(os.fsencode(root) + b"/bad\xff.bin", "wb") as fh:
        fh.write(b"\x00\x01" * 100)
    if use_git:
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        git(root, "init", "-q")
        git(root, "add", "-A")
    scan = walk_repo(root, (), (), MAX_SIZE)
    assert [f.path for f in scan.files] == ["caf\\xe9.py"]
    assert [(s.path, s.reason) for s in scan.skipped] == [("bad\\xff.bin", "binary")]
    chunks = list(iter_repo_chunks(scan))
    assert chunks[0].origin == "caf\\xe9.py" and "def parse_config" in chunks[0].text
    assert "===== File: caf\\xe9.py" in chunks[0].text
    json.dumps(summarize_scan(scan, len)).encode("utf-8")  # printable, as JSON and as UTF-8
