"""Walk a code repository the way developers expect and stream it as chunks.

Which files count:
  * Inside a git work tree: what ``git ls-files --cached --others --exclude-standard``
    lists, i.e. tracked files plus untracked files that are not ignored. git reads the
    repository's index and work tree only, never its configuration: nothing the repository
    names (core.fsmonitor, hooks, filters) is run.
  * Elsewhere (or when git is missing, or root is itself git-ignored): an ``os.walk``
    that honours every ``.gitignore`` below root (nested ones relative to their own
    directory) and never enters ``.git/``.

Every candidate then goes through the same filters: ``exclude``/``include`` globs
(gitignore syntax, matched on the path relative to the root), lock files and machine
logs (package-lock.json, *.lock, *.log, *.jsonl, ...: written by tools, not people,
and often larger than the code; an ``include`` brings them back), symlinks (those
resolving outside the root are refused, symlinked directories are never entered),
then content checks (not a regular file, empty, binary, too large, not UTF-8). Anything dropped is
recorded in ``RepoScan.skipped`` with a reason; ignored directories are recorded
once, as ``"dir/"``, instead of file by file.

Reading order: root README, then root manifests (pyproject.toml, package.json, ...),
then all other files, then tests (paths with a ``tests``/``test``/``__tests__``/``spec``
directory or test-named files); ties are broken by path, so the order is deterministic.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pathspec import GitIgnoreSpec

from . import Chunk, SourceError

# Skip reasons.
IGNORED = "ignored"
BINARY = "binary"
TOO_LARGE = "too large"
UNDECODABLE = "undecodable"
SYMLINK_OUTSIDE = "symlink outside tree"
SYMLINK_DIR = "symlinked directory"
BROKEN_SYMLINK = "broken symlink"
EXCLUDED = "excluded"
NOT_INCLUDED = "not included"
EMPTY = "empty"
UNREADABLE = "unreadable"
NESTED_REPO = "nested repository"
NOT_REGULAR = "not a regular file"
GENERATED = "lock file or machine log"

BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True, slots=True)
class RepoFile:
    path: str  # relative to the root, posix separators; bytes that are not UTF-8 shown as \xNN
    language: str
    size: int  # bytes
    lines: int
    name_on_disk: str | None = None  # the path as the OS names it, when `path` had to show it otherwise


def shown_path(rel: str) -> str:
    """A path as text that can be printed, tokenized and written to JSON: a file name that is not
    UTF-8 (os.fsdecode keeps its bytes as lone surrogates) gets a backslash escape (\\xe9) per byte."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str  # relative to the root; directories end with "/"
    reason: str


@dataclass(slots=True)
class RepoScan:
    root: Path
    files: list[RepoFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


# --- language detection ---------------------------------------------------

_LANG_BY_NAME = {
    "makefile": "Makefile",
    "gnumakefile": "Makefile",
    "dockerfile": "Dockerfile",
    "containerfile": "Dockerfile",
    "cmakelists.txt": "CMake",
    "license": "Text",
    "copying": "Text",
    ".gitignore": "Text",
    ".gitattributes": "Text",
    ".dockerignore": "Text",
    ".editorconfig": "INI",
    "gemfile": "Ruby",
    "rakefile": "Ruby",
    "justfile": "Makefile",
}

_LANG_BY_EXT = {
    ".py": "Python", ".pyi": "Python", ".pyx": "Python",
    ".md": "Markdown", ".markdown": "Markdown",
    ".rst": "reStructuredText",
    ".txt": "Text",
    ".toml": "TOML",
    ".yaml": "YAML", ".yml": "YAML",
    ".json": "JSON", ".jsonl": "JSON",
    ".ini": "INI", ".cfg": "INI", ".conf": "INI",
    ".sh": "Shell", ".bash": "Shell", ".zsh": "Shell", ".fish": "Shell",
    ".c": "C", ".h": "C",
    ".cc": "C++", ".cpp": "C++", ".cxx": "C++", ".hpp": "C++", ".hh": "C++", ".hxx": "C++",
    ".rs": "Rust",
    ".go": "Go",
    ".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript", ".jsx": "JavaScript",
    ".ts": "TypeScript", ".tsx": "TypeScript", ".mts": "TypeScript", ".cts": "TypeScript",
    ".html": "HTML", ".htm": "HTML",
    ".css": "CSS", ".scss": "CSS", ".sass": "CSS", ".less": "CSS",
    ".java": "Java", ".kt": "Kotlin", ".kts": "Kotlin", ".scala": "Scala",
    ".cs": "C#", ".swift": "Swift", ".m": "Objective-C",
    ".rb": "Ruby", ".php": "PHP", ".pl": "Perl", ".lua": "Lua", ".r": "R",
    ".sql": "SQL", ".xml": "XML", ".svg": "XML",
    ".mk": "Makefile", ".cmake": "CMake",
    ".tex": "TeX", ".proto": "Protobuf",
    ".vue": "Vue", ".svelte": "Svelte",
    ".hs": "Haskell", ".ml": "OCaml", ".ex": "Elixir", ".exs": "Elixir", ".erl": "Erlang",
    ".zig": "Zig", ".nim": "Nim", ".dart": "Dart", ".jl": "Julia",
    ".ps1": "PowerShell", ".bat": "Batch",
}


def detect_language(path: str) -> str:
    """Language name for a path, from its file name or extension; "Other" if unknown."""
    name = PurePosixPath(path).name.lower()
    if name in _LANG_BY_NAME:
        return _LANG_BY_NAME[name]
    if name.startswith("dockerfile") or name.endswith(".dockerfile"):
        return "Dockerfile"
    return _LANG_BY_EXT.get(PurePosixPath(name).suffix, "Other")


# --- reading order ----------------------------------------------------------

_LEADING_FILES = (
    "readme", "pyproject.toml", "setup.py", "setup.cfg", "package.json", "cargo.toml",
    "go.mod", "cmakelists.txt", "makefile",
)
_TEST_DIRS = {"tests", "test", "testing", "__tests__", "spec", "specs"}
_TEST_FILE = re.compile(r"^(test_.*|.*_test\.\w+|.*\.(test|spec)\.\w+|conftest\.py)$")


def _reading_key(path: str) -> tuple[int, int, str]:
    parts = path.split("/")
    name = parts[-1].lower()
    if len(parts) == 1:
        stem = "readme" if name.split(".")[0] == "readme" else name
        if stem in _LEADING_FILES:
            return (0, _LEADING_FILES.index(stem), path)
    if any(p.lower() in _TEST_DIRS for p in parts[:-1]) or _TEST_FILE.match(name):
        return (2, 0, path)
    return (1, 0, path)


# --- filters ------------------------------------------------------------------

# Files tools write for themselves: what a reader of the code would skip (repomix's defaults skip
# lock files and logs too). A training log checked into this repository was 39 % of its tokens.
_GENERATED = GitIgnoreSpec.from_lines([
    "*.lock", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "go.sum",
    "*.log", "*.jsonl",
])

_TEXT_CONTROL = {7, 8, 9, 10, 12, 13, 27}  # bell, backspace, tab, LF, FF, CR, ESC


def _looks_binary(head: bytes) -> bool:
    if b"\0" in head:
        return True
    if not head:
        return False
    # High bytes are legal UTF-8, so only stray control characters count as binary noise.
    odd = sum(1 for b in head if (b < 32 and b not in _TEXT_CONTROL) or b == 127)
    return odd / len(head) > 0.1


def _decode(data: bytes) -> str:
    """UTF-8 text with an optional BOM removed; raises UnicodeDecodeError."""
    return data.decode("utf-8-sig")


def _count_lines(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def _spec(patterns: Iterable[str]) -> GitIgnoreSpec | None:
    lines = [p for p in patterns if p.strip()]
    return GitIgnoreSpec.from_lines(lines) if lines else None


class _Classifier:
    """Decides, for one candidate path, whether it becomes a RepoFile or a Skipped."""

    def __init__(self, root: Path, include: Iterable[str], exclude: Iterable[str],
                 max_file_size: int) -> None:
        self.root = root
        self.include = _spec(include)
        self.exclude = _spec(exclude)
        self.max_file_size = max_file_size

    def symlink_problem(self, full: Path) -> str | None:
        target = Path(os.path.realpath(full))
        if not target.is_relative_to(self.root):
            return SYMLINK_OUTSIDE
        if not target.exists():
            return BROKEN_SYMLINK
        if target.is_dir():
            return SYMLINK_DIR
        return None

    def classify(self, rel: str) -> RepoFile | Skipped:
        found = self._classify(rel)
        shown = shown_path(rel)
        if shown == rel:
            return found
        if isinstance(found, RepoFile):
            return RepoFile(shown, found.language, found.size, found.lines, name_on_disk=rel)
        return Skipped(shown_path(found.path), found.reason)

    def _classify(self, rel: str) -> RepoFile | Skipped:
        if self.exclude is not None and self.exclude.match_file(rel):
            return Skipped(rel, EXCLUDED)
        if self.include is not None and not self.include.match_file(rel):
            return Skipped(rel, NOT_INCLUDED)
        if self.include is None and _GENERATED.match_file(rel):
            return Skipped(rel, GENERATED)
        full = self.root / rel
        if full.is_symlink():
            problem = self.symlink_problem(full)
            if problem:
                return Skipped(rel, problem)
        elif full.is_dir():
            # git lists submodules and untracked nested repositories as single entries.
            return Skipped(rel.rstrip("/") + "/", NESTED_REPO)
        try:
            info = full.stat()
            if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
                return Skipped(rel, NOT_REGULAR)
            size = info.st_size
            if size == 0:
                return Skipped(rel, EMPTY)
            with open(full, "rb") as f:
                head = f.read(BINARY_SNIFF_BYTES)
                if _looks_binary(head):
                    return Skipped(rel, BINARY)
                if size > self.max_file_size:
                    return Skipped(rel, TOO_LARGE)
                data = head + f.read()
        except OSError:
            return Skipped(rel, UNREADABLE)
        try:
            text = _decode(data)
        except UnicodeDecodeError:
            return Skipped(rel, UNDECODABLE)
        return RepoFile(rel, detect_language(rel), len(data), _count_lines(text))


# --- candidate listing ----------------------------------------------------------

# git blocks on a FIFO planted as a .gitignore; the walk below does not. `git ls-files` lists this
# repository (245 files) in 5 ms, so a git that has not answered in 10 s is taken to be stuck.
GIT_TIMEOUT_S = 10


def _regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _find_repository(root: Path) -> tuple[Path, Path, Path] | None:
    """(work tree top, index, info/exclude) of the git repository holding root, found by reading files
    only, as git's own discovery does (GIT_CEILING_DIRECTORIES honoured); None outside a repository."""
    ceilings = {Path(p).resolve() for p in os.environ.get("GIT_CEILING_DIRECTORIES", "").split(os.pathsep) if p}
    here = root
    while True:
        dot = here / ".git"
        gitdir: Path | None = dot if dot.is_dir() else None
        if _regular_file(dot):  # a worktree's or submodule's pointer: "gitdir: PATH"
            text = dot.read_text(encoding="utf-8", errors="replace")[:4096]
            if text.startswith("gitdir:"):
                gitdir = here / text[len("gitdir:"):].strip()
        if gitdir is not None and _regular_file(gitdir / "HEAD"):
            common = gitdir
            if _regular_file(gitdir / "commondir"):  # a linked worktree shares info/ with the main one
                common = gitdir / (gitdir / "commondir").read_text(encoding="utf-8", errors="replace").strip()
            return here, gitdir / "index", common / "info" / "exclude"
        if here.parent == here or here.parent in ceilings:
            return None
        here = here.parent


def _git_candidates(root: Path) -> tuple[list[str], list[str]] | None:
    """(listed files, ignored paths) from git, or None when root is not in a work tree (or git can't help).

    git runs on the repository's index and work tree but in a scratch git directory with no
    configuration at all (none from the repository, the user or the system): a repository's
    .git/config can name commands (core.fsmonitor, filters, hooks) and none of it may run here."""
    found = _find_repository(root)
    if found is None:
        return None
    top, index, exclude = found
    if index.exists() and not _regular_file(index):
        return None
    with tempfile.TemporaryDirectory(prefix="infini-git-") as scratch:
        git_dir = Path(scratch)
        (git_dir / "HEAD").write_text("ref: refs/heads/main\n")
        for name in ("objects", "refs", "info"):
            (git_dir / name).mkdir()
        (git_dir / "config").write_text("")
        if _regular_file(exclude):
            shutil.copyfile(exclude, git_dir / "info" / "exclude")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env |= {"GIT_DIR": str(git_dir), "GIT_WORK_TREE": str(top), "GIT_INDEX_FILE": str(index),
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_OPTIONAL_LOCKS": "0"}

        def git(*args: str) -> list[str] | None:
            """NUL-separated output of `git ls-files ARGS` run in root, or None if git can't help."""
            command = ["git", "-c", "core.fsmonitor=false", "-c", f"core.hooksPath={os.devnull}", "ls-files", *args]
            try:
                proc = subprocess.run(command, cwd=root, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                      check=False, timeout=GIT_TIMEOUT_S)
            except (OSError, subprocess.TimeoutExpired):
                return None
            if proc.returncode != 0:
                return None
            return [os.fsdecode(p) for p in proc.stdout.split(b"\0") if p]

        listed = git("-z", "--cached", "--others", "--exclude-standard")
        if listed is None:
            return None
        ignored = git("-z", "--others", "--ignored", "--exclude-standard", "--directory",
                      "--no-empty-directory") or []
    if "./" in ignored:
        return None  # root itself is ignored: the user named it explicitly, so walk it anyway
    # --cached lists unmerged files once per stage, and files deleted from the work tree.
    files = [p for p in dict.fromkeys(listed) if os.path.lexists(root / p)]
    return files, ignored


class _GitIgnores:
    """Nested .gitignore files for the non-git walk; deeper files override shallower ones."""

    def __init__(self) -> None:
        self.specs: dict[str, GitIgnoreSpec] = {}  # "" for root, else "a/b"

    def load(self, rel_dir: str, directory: Path) -> None:
        path = directory / ".gitignore"
        if path.is_file():
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            self.specs[rel_dir] = GitIgnoreSpec.from_lines(lines)

    def ignored(self, rel: str, is_dir: bool) -> bool:
        parts = rel.split("/")
        for depth in range(len(parts) - 1, -1, -1):
            spec = self.specs.get("/".join(parts[:depth]))
            if spec is None:
                continue
            sub = "/".join(parts[depth:]) + ("/" if is_dir else "")
            result = spec.check_file(sub).include
            if result is not None:
                return result
        return False


def _walk_candidates(root: Path) -> tuple[list[str], list[str]]:
    """(files, ignored paths) from an os.walk that honours .gitignore files."""
    files: list[str] = []
    ignored: list[str] = []
    ignores = _GitIgnores()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        ignores.load(rel_dir, here)
        prefix = f"{rel_dir}/" if rel_dir else ""
        keep = []
        for name in dirnames:
            rel = prefix + name
            if name == ".git":
                continue
            if (here / name).is_symlink():
                # git treats a symlink as a file: matched and listed as one, never entered.
                (ignored if ignores.ignored(rel, is_dir=False) else files).append(rel)
            elif ignores.ignored(rel, is_dir=True):
                ignored.append(rel + "/")
            else:
                keep.append(name)
        dirnames[:] = keep
        for name in filenames:
            rel = prefix + name
            if name == ".git":  # a worktree's or submodule's pointer file
                continue
            (ignored if ignores.ignored(rel, is_dir=False) else files).append(rel)
    return files, ignored


# --- public API -----------------------------------------------------------------

def walk_repo(root: str | os.PathLike[str], include: Iterable[str] = (),
              exclude: Iterable[str] = (), max_file_size: int = 1_000_000) -> RepoScan:
    """Scan a repository: the readable text files in reading order, and what was skipped and why."""
    given = Path(root)
    if not given.exists():
        raise SourceError(f"Repository path {str(given)!r} does not exist.")
    if not given.is_dir():
        raise SourceError(f"Repository path {str(given)!r} is not a directory.")
    root_path = given.resolve()
    scan = RepoScan(root=root_path)

    from_git = _git_candidates(root_path)
    if from_git is not None and from_git[0]:
        candidates, ignored = from_git
    else:  # no repository, or a folder its repository ignores (a virtualenv's site-packages): read it all
        candidates, ignored = _walk_candidates(root_path)
    scan.skipped.extend(Skipped(p, IGNORED) for p in ignored)

    classifier = _Classifier(root_path, include, exclude, max_file_size)
    for rel in candidates:
        result = classifier.classify(rel)
        (scan.files if isinstance(result, RepoFile) else scan.skipped).append(result)

    scan.files.sort(key=lambda f: _reading_key(f.path))
    scan.skipped.sort(key=lambda s: s.path)
    return scan


def file_header(file: RepoFile) -> str:
    """The separator put before each file's body in the chunk stream."""
    return f"\n\n===== File: {file.path} ({file.language}) =====\n"


def file_chunk(scan: RepoScan, file: RepoFile) -> Chunk:
    """A scanned file as the engine reads it: header + body."""
    try:
        data = (scan.root / (file.name_on_disk or file.path)).read_bytes()
    except OSError as exc:
        raise SourceError(f"Cannot read {file.path} from the repository: {exc.strerror}.") from exc
    # The file passed the UTF-8 check during the scan; tolerate edits made since.
    text = data.decode("utf-8-sig", errors="replace")
    header = file_header(file)
    return Chunk(text=header + text, origin=file.path, line=1 - header.count("\n"))  # the body starts at line 1


def iter_repo_chunks(scan: RepoScan) -> Iterator[Chunk]:
    """One chunk per scanned file, reading each file only when it is reached."""
    for file in scan.files:
        yield file_chunk(scan, file)


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "": 1, "b": 1,
    "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
    "ki": 2**10, "kib": 2**10, "mi": 2**20, "mib": 2**20, "gi": 2**30, "gib": 2**30,
}


def parse_size(text: str) -> int:
    """Bytes from a size like "2000", "500k", "1MB" or "2MiB" (k/M/G are powers of 1000)."""
    match = _SIZE_RE.match(text)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _SIZE_UNITS:
        raise ValueError(
            f"Invalid size {text!r}: use a number with an optional unit, like 2000, 500k or 1MB."
        )
    size = round(float(match.group(1)) * _SIZE_UNITS[unit])
    if size <= 0:
        raise ValueError(f"Invalid size {text!r}: it must be greater than zero.")
    return size


def summarize_scan(scan: RepoScan, count_tokens: Callable[[str], int]) -> dict:
    """Table data for a scan.

    Tokens are counted on each file's chunk text (header included), i.e. what the model
    will actually read. Returns::

        {"languages": [{"language", "files", "lines", "tokens"}, ...],  # most tokens first
         "totals": {"files", "lines", "tokens", "bytes"},
         "largest": [{"path", "language", "lines", "tokens"}, ...],     # top 5 by tokens
         "read": [{"path", "language", "lines", "tokens"}, ...],        # every file, in reading order
         "skipped": {reason: [path, ...], ...}}                          # reasons sorted
    """
    per_lang: dict[str, Counter[str]] = defaultdict(Counter)
    per_file: list[dict] = []
    for file, chunk in zip(scan.files, iter_repo_chunks(scan)):
        tokens = count_tokens(chunk.text)
        per_lang[file.language].update(files=1, lines=file.lines, tokens=tokens)
        per_file.append({"path": file.path, "language": file.language,
                         "lines": file.lines, "tokens": tokens})

    languages = [{"language": lang, "files": c["files"], "lines": c["lines"], "tokens": c["tokens"]}
                 for lang, c in per_lang.items()]
    languages.sort(key=lambda row: (-row["tokens"], row["language"]))
    largest = sorted(per_file, key=lambda row: (-row["tokens"], row["path"]))[:5]

    skipped: dict[str, list[str]] = defaultdict(list)
    for s in scan.skipped:
        skipped[s.reason].append(s.path)

    return {
        "languages": languages,
        "totals": {
            "files": len(scan.files),
            "lines": sum(f.lines for f in scan.files),
            "tokens": sum(row["tokens"] for row in per_file),
            "bytes": sum(f.size for f in scan.files),
        },
        "largest": largest,
        "read": per_file,
        "skipped": dict(sorted(skipped.items())),
    }
