"""Hostile input: a repository that plants a command, outputs aimed through symlinks or at places that
cannot be written, inputs that are not files, absurd options, and Ctrl-C. Each case must end in one
sentence on stderr and exit 2 (130 for Ctrl-C), before any model is loaded, with nothing written.

The CLI cases fail before the model loads, and name a missing .gguf as the model, so that a check that
went missing fails here at once instead of loading one."""

from __future__ import annotations

import math
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer

from infinicli import __main__ as entry
from infinicli import atomic, cli
from infinicli.config import EngineConfig
from infinicli.errors import InfiniError
from infinicli.sources import SourceError, check_input, open_binary, open_source
from infinicli.sources import repo as repo_mod
from infinicli.sources.repo import summarize_scan, walk_repo
from infinicli.tasks import passkey as pk
from tests.conftest import run_entry

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
    ended = run_entry(monkeypatch, capsys, args)
    return ended.returncode, ended.stderr


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


# --- outputs ------------------------------------------------------------------------------------------

def test_output_is_never_written_through_a_planted_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    target = tmp_path / "summary.md"
    for name in (f".summary.tmp-{os.getpid()}.md", f".summary.tmp-{os.getpid() + 1}.md"):  # the old names
        (tmp_path / name).symlink_to(victim)
    atomic.write_text(target, "summary\n")
    assert victim.read_text() == "precious\n"
    assert target.read_text() == "summary\n" and not target.is_symlink()
    temps = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".summary"))
    assert temps == sorted([f".summary.tmp-{os.getpid()}.md", f".summary.tmp-{os.getpid() + 1}.md"])


def test_a_symlink_target_is_replaced_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / "out.md").symlink_to(victim)
    atomic.write_text(tmp_path / "out.md", "new\n")
    assert victim.read_text() == "precious\n"
    assert not (tmp_path / "out.md").is_symlink() and (tmp_path / "out.md").read_text() == "new\n"


def test_temp_names_are_unpredictable_and_keep_the_suffix(tmp_path: Path) -> None:
    names = []
    for _ in range(2):
        with atomic.atomic_path(tmp_path / "plot.png") as tmp:
            names.append(tmp.name)
            assert tmp.parent == tmp_path and tmp.suffix == ".png" and tmp.exists()
            tmp.write_bytes(b"x")
    assert names[0] != names[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png"]


def test_a_replaced_file_keeps_its_mode_and_a_new_one_gets_the_umask(tmp_path: Path) -> None:
    private = tmp_path / "private.md"
    private.write_text("old\n")
    private.chmod(0o600)
    atomic.write_text(private, "new\n")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and private.read_text() == "new\n"
    umask = os.umask(0o022)
    try:
        atomic.write_text(tmp_path / "fresh.md", "x\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "fresh.md").stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_target_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("before\n")
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer failed")
    assert target.read_text() == "before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_check_writable_refuses_what_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    atomic.check_writable(tmp_path / "new.md")
    atomic.check_writable(None)
    atomic.check_writable(tmp_path / "new" / "deeper", folder=True)
    with pytest.raises(InfiniError, match="does not exist"):
        atomic.check_writable(tmp_path / "missing" / "out.md")
    with pytest.raises(InfiniError, match="is a folder"):
        atomic.check_writable(tmp_path)
    with pytest.raises(InfiniError, match="not a folder"):
        atomic.check_writable(tmp_path / "a-file", folder=True)
    with pytest.raises(InfiniError, match="not a folder"):
        atomic.check_writable(tmp_path / "a-file" / "runs", folder=True)


@pytest.mark.skipif(is_root, reason="root may write in a read-only folder")
def test_check_writable_refuses_a_read_only_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(InfiniError, match="not writable"):
            atomic.check_writable(locked / "out.md")
        with pytest.raises(InfiniError, match="permission denied"):
            atomic.check_writable(locked / "runs", folder=True)
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("out, phrase", [("missing/summary.md", "does not exist"), ("a-folder", "is a folder")])
def test_summarize_out_that_cannot_be_written_is_refused_first(
        tmp_path, doc, no_model, monkeypatch, capsys, out: str, phrase: str) -> None:
    (tmp_path / "a-folder").mkdir()
    before = listing(tmp_path)
    code, err = run_main(monkeypatch, capsys, "summarize", str(doc), "--out", str(tmp_path / out),
                         "--force", "--model", no_model)
    assert code == 2
    one_sentence(err, phrase)
    assert listing(tmp_path) == before


@pytest.mark.parametrize("save, phrase", [("missing/doc.infini", "does not exist"), ("a.infini", "is a folder")])
def test_read_save_that_cannot_be_written_is_refused_first(
        tmp_path, doc, no_model, monkeypatch, capsys, save: str, phrase: str) -> None:
    (tmp_path / "a.infini").mkdir()
    before = listing(tmp_path)
    code, err = run_main(monkeypatch, capsys, "read", str(doc), "--save", str(tmp_path / save), "--force",
                         "--model", no_model)
    assert code == 2
    one_sentence(err, phrase)
    assert listing(tmp_path) == before


# --- inputs that are not files --------------------------------------------------------------------------

def test_a_named_pipe_is_refused_at_once_by_the_cli(tmp_path: Path, no_model: str) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    before = listing(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "infinicli", "ask", str(pipe), "-q", "what?", "--model", no_model],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "INFINI_DEBUG": ""})
    assert proc.returncode == 2
    one_sentence(proc.stderr, "is a named pipe", "not a regular file")
    assert listing(tmp_path) == before


@pytest.mark.parametrize("command", [["ask", "-q", "what?"], ["summarize"], ["read", "--save", "x.infini"]])
@pytest.mark.parametrize("path, phrase", [("/dev/zero", "is a device"), ("DIR", "is a directory")])
def test_devices_and_folders_are_refused_by_every_reading_command(
        tmp_path, no_model, monkeypatch, capsys, command: list[str], path: str, phrase: str) -> None:
    monkeypatch.chdir(tmp_path)
    if path == "DIR":
        (tmp_path / "DIR").mkdir()
    elif not os.path.exists(path):
        pytest.skip(f"{path} is missing here")
    before = listing(tmp_path)
    code, err = run_main(monkeypatch, capsys, command[0], path, *command[1:], "--model", no_model)
    assert code == 2
    one_sentence(err, phrase)
    assert listing(tmp_path) == before


@pytest.mark.parametrize("command", [["ask", "-q", "what?"], ["summarize"], ["read", "--save", "x.infini"]])
@pytest.mark.parametrize("name, body, phrase", [
    ("blob.txt", bytes(range(256)) * 64, "is binary data"),
    ("fake.pdf", b"just text, named .pdf\n", "is not a PDF"),
])
def test_binary_data_and_fake_pdfs_are_refused_before_the_model_loads(
        tmp_path, no_model, monkeypatch, capsys, command: list[str], name: str, body: bytes, phrase: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(body)
    before = listing(tmp_path)
    code, err = run_main(monkeypatch, capsys, command[0], name, *command[1:], "--model", no_model)
    assert code == 2
    one_sentence(err, phrase)
    assert listing(tmp_path) == before


@pytest.mark.parametrize("command", [["ask", "-q", "what?"], ["summarize"], ["read", "--save", "x.infini"]])
@pytest.mark.parametrize("pages, password, phrase", [(["", "", ""], None, "needs OCR"),
                                                      (["Behind a password"], "pw", "--password")])
def test_a_pdf_without_text_or_its_password_is_refused_before_the_model_loads(
        tmp_path, no_model, monkeypatch, capsys, command: list[str], pages: list[str], password, phrase: str) -> None:
    from tests.test_sources import make_pdf

    monkeypatch.chdir(tmp_path)
    make_pdf(tmp_path / "doc.pdf", pages, password=password)
    before = listing(tmp_path)
    code, err = run_main(monkeypatch, capsys, command[0], "doc.pdf", *command[1:], "--model", no_model)
    assert code == 2
    one_sentence(err, phrase)  # not the missing model's sentence: the PDF is looked at first
    assert listing(tmp_path) == before


def test_sources_refuse_a_named_pipe_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    t0 = time.monotonic()
    for read in (check_input, open_source, open_binary):
        with pytest.raises(SourceError, match="is a named pipe"):
            read(str(pipe))
    assert time.monotonic() - t0 < 5
    check_input("-")  # stdin stays allowed


# --- Ctrl-C --------------------------------------------------------------------------------------------

def test_interrupted_is_not_an_exception() -> None:
    assert not issubclass(entry.Interrupted, Exception)


@pytest.mark.parametrize("catcher", ["none", "except Exception"])
def test_ctrl_c_exits_130_with_one_line_even_through_broad_handlers(monkeypatch, capsys, catcher: str) -> None:
    """A SIGINT during a command (here inside an `except Exception` like a model load's) ends it with 130."""
    app = typer.Typer()
    ran_on = []

    @app.command()
    def slow() -> None:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except Exception as exc:
            if catcher == "none":
                raise
            raise InfiniError(f"could not load model: {exc}") from None
        ran_on.append("after")

    monkeypatch.setattr(cli, "app", app)
    code, err = run_main(monkeypatch, capsys)
    assert code == 130
    one_sentence(err, "interrupted")
    assert "error" not in err and not ran_on


def test_ctrl_c_while_the_cli_modules_import_exits_130_with_one_line(tmp_path) -> None:
    # A finder that interrupts the import of typer stands for a Ctrl-C landing during the imports.
    program = ("import sys\n"
               "class Interrupt:\n"
               "    def find_spec(self, name, path=None, target=None):\n"
               "        if name == 'typer':\n"
               "            raise KeyboardInterrupt\n"
               "sys.meta_path.insert(0, Interrupt())\n"
               "from infinicli.__main__ import main\n"
               "main()\n")
    proc = subprocess.run([sys.executable, "-c", program, "passkey"], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path, env={**os.environ, "INFINI_DEBUG": ""})
    assert proc.returncode == 130
    assert proc.stderr == "infini: interrupted\n"


def test_an_error_quoting_an_input_reaches_the_terminal_cleaned(monkeypatch, capsys, doc) -> None:
    def refuse(*args, **kwargs):
        raise InfiniError("doc\x1b]0;owned\x07.txt is\nbroken")

    monkeypatch.setattr(cli, "_check_input", refuse)
    code, err = run_main(monkeypatch, capsys, "ask", str(doc), "-q", "what?")
    assert code == 2 and "\x1b" not in err and "\x07" not in err
    one_sentence(err, "owned", "is broken")


def test_an_unexpected_error_is_one_line_unless_debugging(monkeypatch, capsys, doc) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nwith a second line")

    monkeypatch.setattr(cli, "_check_input", broken)
    code, err = run_main(monkeypatch, capsys, "ask", str(doc), "-q", "what?")
    assert code == 1
    assert err == "infini: internal error (RuntimeError: a bug); INFINI_DEBUG=1 shows the traceback\n"
    monkeypatch.setenv("INFINI_DEBUG", "1")
    monkeypatch.setattr(sys, "argv", ["infini", "ask", str(doc), "-q", "what?"])
    before = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(RuntimeError):
            entry.main()
    finally:
        signal.signal(signal.SIGINT, before)


# --- absurd options --------------------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, phrase", [
    (dict(window=10**9), "--window of 1,000,000,000 tokens"),
    (dict(segment=10**9), "--segment of 1,000,000,000 tokens"),
    (dict(block=2 * 2**20), "--block of 2,097,152 tokens"),
    (dict(pool_blocks=10**9, block=1), "--pool of 1,000,000,000 blocks"),
    (dict(pool_blocks=20_000), "a recall pool of 20,000 blocks of 64 tokens"),
    (dict(gate_beta=math.nan), "--gate must be a finite number"),
    (dict(gate_beta=math.inf), "--gate must be a finite number"),
    (dict(gate_beta=-math.inf), "--gate must be a finite number"),
])
def test_absurd_engine_options_are_refused_at_construction(overrides: dict, phrase: str) -> None:
    with pytest.raises(InfiniError) as refused:
        EngineConfig.for_method("infini+recall", **overrides)
    assert phrase in str(refused.value)


def test_the_bounds_themselves_are_allowed() -> None:
    EngineConfig.for_method("infini+recall", window=2**20, segment=2**20, pool_blocks=2**16, block=16)


def test_absurd_passkey_length_is_refused() -> None:
    pk.check_options(pk.MOST_TOKENS, 0.5, 1)
    with pytest.raises(InfiniError, match="--length of 1,000,000,000,000 tokens"):
        pk.check_options(10**12, 0.5, 1)


@pytest.mark.parametrize("args, phrase", [
    (["passkey", "--length", str(10**12)], "--length of"),
    (["ask", "DOC", "-q", "what?", "--window", str(10**9)], "--window of"),
    (["ask", "DOC", "-q", "what?", "--pool", str(10**9)], "--pool of"),
    (["summarize", "DOC", "--segment", str(10**9)], "--segment of"),
    (["ask", "DOC", "-q", "what?", "--gate", "nan"], "--gate must be a finite number"),
    (["read", "DOC", "--save", "x.infini", "--gate", "inf"], "--gate must be a finite number"),
])
def test_absurd_options_are_refused_before_the_model_loads(
        tmp_path, doc, no_model, monkeypatch, capsys, args: list[str], phrase: str) -> None:
    monkeypatch.chdir(tmp_path)
    before = listing(tmp_path)
    code, err = run_main(monkeypatch, capsys, *[str(doc) if a == "DOC" else a for a in args], "--model", no_model)
    assert code == 2
    one_sentence(err, phrase)
    assert listing(tmp_path) == before


@pytest.mark.parametrize("args", [["train", "--steps", "1"], ["bench", "passkey"], ["bench", "summarize"]])
def test_an_output_folder_that_is_a_file_is_refused_first(monkeypatch, capsys, tmp_path: Path, no_model, args) -> None:
    target = tmp_path / "results"
    target.write_text("mine")
    before = listing(tmp_path)
    code, err = run_main(monkeypatch, capsys, *args, "--out", str(target), "--model", no_model)
    assert code == 2
    one_sentence(err, "not a folder")
    assert listing(tmp_path) == before


# --- options a saved state was not read with -------------------------------------------------------------

@pytest.mark.parametrize("args, phrase", [
    (["--method", "window"], "read with --method infini+recall, so --method window cannot apply"),
    (["--segment", "128"], "read with --segment 8, so --segment 128"),
    (["--window", "512"], "read with --window 16"),
    (["--pool", "4"], "read with --pool 2"),
    (["--rule", "linear"], "read with --rule delta"),
    (["--gate", "-1"], "read with --gate -3.0"),
])
def test_options_a_saved_state_was_not_read_with_are_refused(
        tiny, tmp_path, no_model, monkeypatch, capsys, args: list[str], phrase: str) -> None:
    from tests.test_documents import _saved

    _, _, saved = _saved(tiny, tmp_path)
    before = listing(tmp_path)
    code, err = run_main(monkeypatch, capsys, "ask", saved, "-q", "what?", *args, "--model", no_model)
    assert code == 2
    one_sentence(err, phrase, "read the document again")
    assert listing(tmp_path) == before


def test_options_a_saved_state_was_read_with_are_allowed(tiny, tmp_path, no_model, monkeypatch, capsys) -> None:
    from tests.test_documents import _saved

    _, _, saved = _saved(tiny, tmp_path)
    # the same settings pass the check; the run then stops at the missing model, not at the options
    code, err = run_main(monkeypatch, capsys, "ask", saved, "-q", "what?", "--segment", "8", "--pool", "2",
                         "--model", no_model)
    assert code == 2 and "read with" not in err and "model" in err


def test_a_named_pipe_named_like_a_saved_state_is_refused_at_once(tiny, chars, tmp_path) -> None:
    from infinicli.session import Session
    from tests.test_documents import _saved

    engine, info, _ = _saved(tiny, tmp_path)
    pipe = tmp_path / "state.infini"
    os.mkfifo(pipe)
    session = Session(engine, chars, info)
    t0 = time.monotonic()
    with pytest.raises(SourceError, match="is a named pipe"):
        session.ask(pipe, "what?")
    assert time.monotonic() - t0 < 5


# --- model directories and hub names -----------------------------------------------------------------

def test_a_model_folder_with_only_pickled_weights_is_refused(tmp_path, doc, monkeypatch, capsys) -> None:
    folder = tmp_path / "pickled"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "llama"}')
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04not really a pickle")
    before = listing(tmp_path)
    code, err = run_main(monkeypatch, capsys, "ask", str(doc), "-q", "what?", "--model", str(folder))
    assert code == 2
    one_sentence(err, "no .safetensors weights (only pytorch_model.bin)", "never pickled")
    assert listing(tmp_path) == before


def test_an_unreachable_hub_is_one_sentence_within_seconds(tmp_path, doc, monkeypatch, capsys) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # the discard port: nothing listens
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    t0 = time.monotonic()
    code, err = run_main(monkeypatch, capsys, "ask", str(doc), "-q", "what?", "--model", "someorg/somemodel")
    assert code == 2
    assert time.monotonic() - t0 < 10
    assert err.splitlines()[-1].startswith("infini: ") and "127.0.0.1 cannot be reached" in err
    assert "Retry" not in err and "Traceback" not in err
