"""`infini batch`: inputs expanded, the index resumed, a corrupt document reported while the rest go on, a
worker killed mid-batch without a document lost or recorded twice, results equal to running each
document alone. Fast tests use a tiny model saved as a Hugging Face folder; the Ray cluster test uses the
real default model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from infinicli import batch
from infinicli.errors import InfiniError

QUESTION = "Who keeps the ledger?"


def _prose(seed: int, chars: int) -> str:
    import random

    rng = random.Random(seed)
    words = ["the", "keeper", "ledger", "storm", "light", "harbour", "wrote", "boat", "night", "Corran", "Halcyon"]
    out = []
    while sum(len(s) for s in out) < chars:
        out.append(" ".join(rng.choice(words) for _ in range(12)).capitalize() + ".")
    return "\n".join(out) + "\n"


def _documents(folder: Path, chars: int = 3000) -> list[Path]:
    folder.mkdir()
    docs = [folder / f"doc{i}.txt" for i in range(4)]
    for i, doc in enumerate(docs):
        doc.write_text(_prose(i, chars))
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)  # a PDF by its header, no body
    return docs


def _index(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()]


# --- inputs ----------------------------------------------------------------------------------------

def test_inputs_expand_from_files_folders_globs_and_lists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    (tmp_path / "docs" / ".hidden").mkdir()
    for name in ("docs/a.pdf", "docs/b.txt", "docs/sub/c.md", "docs/notes.json", "docs/.secret.txt",
                 "docs/.hidden/d.txt", "other.txt"):
        (tmp_path / name).write_text("x")
    os.symlink(tmp_path / "other.txt", tmp_path / "docs" / "link.txt")
    (tmp_path / "list.txt").write_text("# documents\nother.txt\n\ndocs/b.txt\nmissing.txt\n")

    assert batch.expand(["docs"], "ask") == ["docs/a.pdf", "docs/b.txt", "docs/sub/c.md"]
    assert batch.expand(["docs/**/*.md", "docs"], "ask") == ["docs/sub/c.md", "docs/a.pdf", "docs/b.txt"]
    # a list's entries are relative to it; one that is missing is kept, to fail alone in the index
    assert batch.expand(["@list.txt", "other.txt"], "summarize") == ["other.txt", "docs/b.txt", "missing.txt"]
    assert batch.expand(["docs", "docs"], "code") == ["docs"]  # a folder is one repository for code
    for bad, message in ((["nowhere.pdf"], "nowhere.pdf does not exist"), (["*.epub"], "matches no file"),
                         (["@absent.txt"], "cannot read the list"), (["docs/sub/none"], "does not exist")):
        with pytest.raises(InfiniError, match=message):
            batch.expand(bad, "ask")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InfiniError, match="no documents to read"):
        batch.expand(["empty"], "ask")


def test_the_results_folder_is_never_read_as_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs" / "out").mkdir(parents=True)
    (tmp_path / "docs" / "a.txt").write_text("a document\n")
    (tmp_path / "docs" / "out" / "a.0123.abcd.md").write_text("# Summary of a document\n")
    settings = batch.settings_for("summarize", None, {"model": "m"})
    assert [job["input"] for job in batch.plan(["docs"], Path("docs/out"), settings).jobs] == ["docs/a.txt"]
    with pytest.raises(InfiniError, match="no documents to read outside"):
        batch.plan(["docs/out"], Path("docs/out"), settings)


def test_settings_refuse_what_the_task_cannot_take():
    engine = {"model": "m"}
    with pytest.raises(InfiniError, match="needs --question"):
        batch.settings_for("ask", None, engine)
    with pytest.raises(InfiniError, match="takes no --question"):
        batch.settings_for("summarize", "why?", engine)
    with pytest.raises(InfiniError, match="unknown task"):
        batch.settings_for("translate", None, engine)
    one, other = batch.settings_for("ask", "why?", engine), batch.settings_for("ask", "why not?", engine)
    assert batch.settings_key(one) != batch.settings_key(other)
    assert batch.settings_for("read", None, engine | {"probe_heads": 8})["probe_heads"] == 0


def test_index_drops_a_torn_line_and_refuses_a_file_that_is_not_one(tmp_path):
    index = batch.Index(tmp_path)
    done = tmp_path / "a.json"
    done.write_text("{}")
    index.append({"sha256": "s1", "settings_key": "k", "status": "done", "output": str(done)})
    index.append({"sha256": "s2", "settings_key": "k", "status": "failed", "output": None})
    index.append({"sha256": "s3", "settings_key": "k", "status": "error", "output": None})
    with open(tmp_path / batch.INDEX, "a") as fh:
        fh.write('{"sha256": "s4", "settings_ke')  # the driver was killed while writing
    again = batch.Index(tmp_path)
    assert (tmp_path / batch.INDEX).read_text().endswith("}\n")
    assert again.finished("s1", "k") and again.finished("s2", "k")
    assert again.finished("s3", "k") is None and again.finished("s4", "k") is None  # a bug or a torn line: again
    assert again.finished("s1", "other settings") is None
    done.unlink()
    assert batch.Index(tmp_path).finished("s1", "k") is None  # its output is gone: run it again

    foreign = tmp_path / "theirs"
    foreign.mkdir()
    (foreign / batch.INDEX).write_text("their own notes\nwithout a last newline")
    with pytest.raises(InfiniError, match="not an infini batch index"):
        batch.Index(foreign)
    assert (foreign / batch.INDEX).read_text() == "their own notes\nwithout a last newline"  # left as it was
    for line in ("not json", '{"sha256": "s", "settings_key": "k", "status": "done", "output": 5}',
                 '{"sha256": "s", "settings_key": "k", "status": "maybe"}', "[1, 2]"):
        (foreign / batch.INDEX).write_text(line + "\n")
        with pytest.raises(InfiniError, match="not an infini batch index"):
            batch.Index(foreign)


def test_bad_batch_options_are_one_sentence_before_any_work(tmp_path, run_cli):
    doc = tmp_path / "d.txt"
    doc.write_text("text\n")
    out = tmp_path / "out"
    for args, message in ((["--task", "ask"], "needs --question"),
                          (["--task", "summarize", "-q", "why?"], "takes no --question"),
                          (["--workers", "64", "--threads", "64"], "need 4096 cores"),
                          (["--model", str(tmp_path / "nothing")], "unknown model")):
        proc = run_cli("batch", str(doc), "--out", str(out), *args)
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    proc = run_cli("batch", str(tmp_path / "missing.pdf"), "--out", str(out))
    assert proc.returncode == 2 and "missing.pdf does not exist" in proc.stderr
    (tmp_path / "file").write_text("x")
    proc = run_cli("batch", str(doc), "--out", str(tmp_path / "file"))
    assert proc.returncode == 2 and "is not a folder" in proc.stderr
    assert not (out / "results.jsonl").exists()


# --- the local pool on a tiny model ------------------------------------------------------------------

def _alone(model_dir: Path, docs: list[Path]) -> dict[str, dict]:
    """The same task on each document by itself, in this process, on one thread as the batch's workers run."""
    import torch

    from infinicli.session import Session

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        session = Session.load(str(model_dir), segment=128, probe_heads=0)
        return {doc.name: session.ask(doc, QUESTION).as_dict() for doc in docs}
    finally:
        torch.set_num_threads(before)


def _workers_of(driver: psutil.Process) -> list[psutil.Process]:
    return [p for p in driver.children(recursive=True) if "infinicli.batch.worker" in " ".join(p.cmdline())]


def _kill_a_worker_after_the_first_result(driver: subprocess.Popen, out: Path, workers) -> None:
    """SIGKILL one of `workers()` once the index has a document done, while the others are still running."""
    deadline = time.monotonic() + 600
    while driver.poll() is None and time.monotonic() < deadline:
        if (out / "results.jsonl").exists() and any(r["status"] == "done" for r in _index(out)):
            running = workers()
            assert running, "no worker process found"
            running[0].kill()
            return
        time.sleep(0.1)
    pytest.fail("the batch ended before a worker could be killed")


def test_local_batch_survives_a_killed_worker_equals_single_runs_and_resumes(tmp_path, tiny_dir):
    docs = _documents(tmp_path / "docs", chars=4_000)  # a few seconds each on the tiny model
    out = tmp_path / "out"
    args = [sys.executable, "-m", "infinicli", "batch", str(tmp_path / "docs"), "--task", "ask", "-q", QUESTION,
            "--out", str(out), "--model", str(tiny_dir), "--segment", "128", "--probe-heads", "0",
            "--workers", "2", "--threads", "1"]
    env = os.environ | {"INFINI_HOME": str(tmp_path / "home")}
    driver = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    _kill_a_worker_after_the_first_result(driver, out, lambda: _workers_of(psutil.Process(driver.pid)))
    stdout, stderr = driver.communicate(timeout=180)
    assert driver.returncode == 0, stderr

    records = _index(out)
    assert sorted(Path(r["input"]).name for r in records) == sorted([d.name for d in docs] + ["corrupt.pdf"])
    by_name = {Path(r["input"]).name: r for r in records}
    assert by_name["corrupt.pdf"]["status"] == "failed" and "not a readable PDF" in by_name["corrupt.pdf"]["error"]
    assert by_name["corrupt.pdf"]["output"] is None
    assert "corrupt.pdf" in stdout and "4 done" in stdout
    single = _alone(tiny_dir, docs)
    for doc in docs:
        r = by_name[doc.name]
        assert r["status"] == "done" and r["tokens"] > 3_500 and r["peak_rss_mb"] > 0, r
        mine, alone = json.loads(Path(r["output"]).read_text()), single[doc.name]
        for field in ("answer", "answered_from", "evidence", "dropped", "rewritten"):
            assert mine[field] == alone[field], (doc.name, field)
        assert r["answer"] == alone["answer"]
    assert not list(out.glob(".*tmp*")), "a half-written output was left"

    outputs = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = subprocess.run(args + ["--json"], capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["skipped"], report["done"], report["failed"]) == (5, 0, 0)  # a bad input fails again: skipped
    assert len(_index(out)) == len(records)
    # nothing to run: no cluster is joined (none answers at port 1) and its shape is not checked here
    on_ray = subprocess.run(args + ["--json", "--ray", "127.0.0.1:1", "--workers", "8"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert on_ray.returncode == 0, on_ray.stderr
    assert json.loads(on_ray.stdout)["skipped"] == 5
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name != "workers.log"} == \
        {k: v for k, v in outputs.items() if k != "workers.log"}


def test_ctrl_c_stops_the_workers_and_keeps_what_finished(tmp_path, tiny_dir):
    _documents(tmp_path / "docs", chars=4_000)
    out = tmp_path / "out"
    driver = subprocess.Popen([sys.executable, "-m", "infinicli", "batch", str(tmp_path / "docs"), "--task", "ask",
                               "-q", QUESTION, "--out", str(out), "--model", str(tiny_dir), "--segment", "128",
                               "--probe-heads", "0", "--workers", "2", "--threads", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=os.environ | {"INFINI_HOME": str(tmp_path / "home")})
    deadline = time.monotonic() + 120
    workers = []
    while time.monotonic() < deadline and driver.poll() is None and len(workers) < 2:  # while they load
        workers = _workers_of(psutil.Process(driver.pid))
        time.sleep(0.1)
    driver.send_signal(signal.SIGINT)
    _, stderr = driver.communicate(timeout=60)
    assert driver.returncode == 130, stderr
    assert "interrupted; the" in stderr and "the same command goes on from there" in stderr
    assert stderr.strip().splitlines()[-1].startswith("infini: interrupted")
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, "a worker outlived the batch"
    finished = _index(out) if (out / "results.jsonl").exists() else []
    assert len(finished) < 5 and all(r["status"] in ("done", "failed") for r in finished)
    assert not list(out.glob(".*tmp*")), "a half-written output was left"


# --- a Ray cluster on the real model -----------------------------------------------------------------

BOOK = Path(__file__).parent.parent / "samples" / "books" / "alices-adventures-in-wonderland.txt"  # public domain


def _chapters(folder: Path, n: int = 5, words: int = 500) -> list[Path]:
    """The first `words` words of the book's first n chapters, a document each."""
    import re

    folder.mkdir()
    parts = re.split(r"\n(?=CHAPTER [IVXL]+\.)", BOOK.read_text(encoding="utf-8"))[1:n + 1]
    docs = [folder / f"chapter{i}.txt" for i in range(1, n + 1)]
    for doc, part in zip(docs, parts):
        doc.write_text(" ".join(part.split(" ")[:words]), encoding="utf-8")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    return docs


def _ray_workers() -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        if any("BatchWorker" in part for part in (p.info["cmdline"] or [])):
            found.append(p)
    return found


@pytest.mark.slow
def test_batch_on_a_ray_cluster_loses_nothing_when_a_worker_is_killed(tmp_path):
    import socket

    import torch

    from infinicli.session import Session

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ray_cli = str(Path(sys.executable).parent / "ray")
    subprocess.run([ray_cli, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", "--num-cpus=2",
                    "--include-dashboard=false", "--disable-usage-stats"], check=True, capture_output=True,
                   timeout=120)
    try:
        docs = _chapters(tmp_path / "docs")
        out = tmp_path / "out"
        question = "Who is late?"
        args = [sys.executable, "-m", "infinicli", "batch", str(tmp_path / "docs"), "--task", "ask", "-q", question,
                "--out", str(out), "--ray", f"127.0.0.1:{port}", "--threads", "1"]
        driver = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _kill_a_worker_after_the_first_result(driver, out, _ray_workers)
        stdout, stderr = driver.communicate(timeout=600)
        assert driver.returncode == 0, stderr
        assert "2 Ray workers x 1 threads" in stdout

        records = _index(out)
        by_name = {Path(r["input"]).name: r for r in records}
        assert len(records) == len(by_name) == 6  # every document once
        assert by_name["corrupt.pdf"]["status"] == "failed"
        torch.set_num_threads(1)
        session = Session.load()
        for doc in docs:
            r = by_name[doc.name]
            assert r["status"] == "done", r
            mine, alone = json.loads(Path(r["output"]).read_text()), session.ask(doc, question).as_dict()
            for field in ("answer", "answered_from", "evidence", "dropped", "rewritten"):
                assert mine[field] == alone[field], (doc.name, field)

        again = subprocess.run(args + ["--json"], capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        report = json.loads(again.stdout)
        assert (report["skipped"], report["done"], report["failed"]) == (6, 0, 0)
        assert len(_index(out)) == 6
    finally:
        subprocess.run([ray_cli, "stop", "--force"], capture_output=True, timeout=120)
