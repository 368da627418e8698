"""`infini batch`: one task over many documents, resumable, on this machine or on a Ray cluster.

    plan     the inputs (files, folders, globs, @lists of them) become jobs: a document, the sha256 of
             its content and the file its result goes to; what the index says is done is skipped
    index    DIR/results.jsonl, one record per document run, appended by the driver alone
    pools    workers that load the model once and run jobs (pools.py: local processes or Ray actors);
             a worker that dies has its document run again elsewhere, once
    worker   one job: the task through the Session, its output written atomically (worker.py)

The driver imports no torch: it hashes, schedules and writes the index.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from infinicli import __version__
from infinicli.errors import InfiniError

TASKS = ("summarize", "ask", "read", "code")
OUTPUT_SUFFIX = {"summarize": ".md", "ask": ".json", "read": ".infini", "code": ".json"}
# a folder given to a document task stands for the documents in it, found by these names
DOCUMENT_SUFFIXES = (".pdf", ".txt", ".md", ".markdown", ".rst", ".text", ".org", ".adoc", ".tex")
INDEX = "results.jsonl"
STATUSES = ("done", "failed", "error")
ENGINE = ("model", "method", "segment", "window", "pool", "block", "rule", "gate", "params", "probe_heads",
          "precision")


def settings_for(task: str, question: str | None, engine: dict, max_tokens: int | None = None,
                 length: str = "medium", notes: bool = True) -> dict:
    """Everything a result depends on besides the document: a changed setting means a new result."""
    if task not in TASKS:
        raise InfiniError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    if task == "ask" and not (question or "").strip():
        raise InfiniError("--task ask needs --question")
    if task in ("summarize", "read") and question is not None:
        raise InfiniError(f"--task {task} takes no --question")
    out = {"task": task} | {k: engine.get(k) for k in ENGINE}
    out["params"] = None if out["params"] is None else str(Path(out["params"]).resolve())
    if task == "read":
        out["probe_heads"] = 0  # as `infini read`: no question, so no probe
    if task in ("ask", "code"):
        out |= {"question": question, "max_tokens": max_tokens or (64 if task == "ask" else 96)}
    if task == "summarize":
        out |= {"length": length, "notes": notes}
    return out


def settings_key(settings: dict) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


# --- inputs -----------------------------------------------------------------------------------------

def _documents_in(folder: str) -> list[str]:
    """The documents under a folder, in name order: regular files with a document's suffix, hidden
    files and folders and symbolic links left out."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(root, name)
            if (not name.startswith(".") and name.lower().endswith(DOCUMENT_SUFFIXES)
                    and not os.path.islink(path) and os.path.isfile(path)):
                found.append(path)
    return found


def expand(inputs: list[str], task: str) -> list[str]:
    """The inputs as paths, each once, in the order given: a file as it is; a folder as the documents in
    it (for `code`, as one repository); a glob (`docs/**/*.pdf`, quoted so the shell leaves it) as its
    matches; `@LIST` as the paths in the text file LIST, one a line (# starts a comment). A path given
    here that does not exist is refused; one named in a list fails alone, in the index."""
    seen: set[str] = set()
    out: list[str] = []

    def add(path: str) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            out.append(path)

    def one(arg: str, listed: bool) -> None:
        if os.path.isdir(arg):
            for path in [arg] if task == "code" else _documents_in(arg):
                add(path)
        elif os.path.lexists(arg) or listed:
            add(arg)
        elif set("*?[") & set(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise InfiniError(f"{arg} matches no file")
            for match in matches:
                one(match, listed)
        else:
            raise InfiniError(f"{arg} does not exist")

    for arg in inputs:
        if arg.startswith("@") and not os.path.lexists(arg):
            try:
                lines = Path(arg[1:]).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise InfiniError(f"cannot read the list {arg[1:]} ({getattr(exc, 'strerror', None) or exc})") from None
            base = os.path.dirname(arg[1:])
            for line in lines:
                entry = line.strip()
                if entry and not entry.startswith("#"):
                    one(os.path.join(base, entry), listed=True)  # relative to the list's folder
        else:
            one(arg, listed=False)
    if not out:
        raise InfiniError("no documents to read" + (" (a folder is read for " + ", ".join(DOCUMENT_SUFFIXES)
                                                     + " files)" if task != "code" else ""))
    return out


def content_sha256(path: str, task: str) -> str:
    """sha256 of a document's bytes; of a repository (for `code`), of every file it reads, by path.
    Raises InfiniError (one sentence) for an input that cannot be read."""
    from infinicli.sources import check_input, file_sha256

    if task != "code":
        check_input(path)
        return file_sha256(path)
    from infinicli.sources.repo import walk_repo

    found = walk_repo(path)  # what tasks.code.scan reads with its defaults, without importing the engine
    if not found.files:
        raise InfiniError(f"{path} has no text files to read")
    h = hashlib.sha256()
    for f in found.files:  # each file's path and the sha256 of its bytes
        h.update(f.path.encode("utf-8", "surrogateescape") + b"\0")
        h.update(file_sha256(str(found.root / (f.name_on_disk or f.path))).encode() + b"\n")
    return h.hexdigest()


# --- the index --------------------------------------------------------------------------------------

class Index:
    """DIR/results.jsonl: a record per document run (the last one for a content and settings counts).

    Lines are appended whole and synced; a line cut short by a killed driver is dropped when the index
    is next opened, and that document runs again."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / INDEX
        self.records: dict[tuple[str, str], dict] = {}  # (sha256, settings_key) -> status and output
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        data = self.path.read_bytes()
        whole = data[:data.rfind(b"\n") + 1]  # a last line without its newline was cut short by a killed driver
        for n, line in enumerate(whole.splitlines(), 1):
            try:
                record = json.loads(line)
                key = (record["sha256"], record["settings_key"])
                if (record["status"] not in STATUSES or not isinstance(record.get("output"), str | None)
                        or not all(isinstance(k, str) for k in key)):
                    raise ValueError
            except (ValueError, TypeError, KeyError):
                raise InfiniError(f"{self.path} is not an infini batch index (line {n}); give another --out") from None
            self.records[key] = {"status": record["status"], "output": record.get("output")}
        if len(whole) < len(data):
            with open(self.path, "r+b") as fh:  # every whole line is ours: cut the torn one
                fh.truncate(len(whole))

    def finished(self, sha256: str, key: str) -> dict | None:
        """The record that makes a run unneeded: done with its output still there, or failed for a reason
        the same content will fail for again (status "error", a bug or a lost worker, runs again)."""
        record = self.records.get((sha256, key))
        if record is None:
            return None
        if record["status"] == "done" and (self.path.parent / os.path.basename(record["output"])).exists():
            return record  # looked for in the index's folder, so a run from another folder or a moved one resumes
        return record if record["status"] == "failed" else None

    def append(self, record: dict) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.records[(record["sha256"], record["settings_key"])] = {"status": record["status"],
                                                                    "output": record.get("output")}


# --- the plan ---------------------------------------------------------------------------------------

def _stem(path: str) -> str:
    name = os.path.basename(os.path.normpath(os.path.abspath(path)))
    name = name.rsplit(".", 1)[0] if "." in name[1:] else name
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:60] or "document"


@dataclass(slots=True)
class Plan:
    folder: Path
    settings: dict
    key: str
    index: Index
    jobs: list[dict] = field(default_factory=list)  # input, sha256, output: what the workers run
    skipped: list[dict] = field(default_factory=list)  # the index's records that make a run unneeded
    failed: list[dict] = field(default_factory=list)  # records of inputs that could not even be hashed

    def record(self, job: dict, result: dict) -> dict:
        """The index's record of one run: the job, the settings and what the worker reported."""
        return {"input": job["input"], "sha256": job["sha256"], "settings_key": self.key, "settings": self.settings,
                "status": result["status"], "error": result.get("error"), "seconds": result.get("seconds"),
                "tokens": result.get("tokens"), "peak_rss_mb": result.get("peak_rss_mb"),
                "output": job["output"] if result["status"] == "done" else None,
                "answer": result.get("answer"), "worker": result.get("worker"),
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "infini": __version__}


def plan(inputs: list[str], folder: Path, settings: dict, retry_failed: bool = False) -> Plan:
    """The jobs to run: every input hashed, the ones the index has finished skipped. An input that cannot
    be read (a missing file from a list, a folder with no text for `code`) becomes a failed record."""
    from infinicli.atomic import check_writable

    task = settings["task"]
    results = os.path.realpath(folder)
    # the results folder is never read as input (`infini batch . --out results/` would summarize summaries)
    paths = [p for p in expand(inputs, task)
             if os.path.commonpath([os.path.realpath(p), results]) != results]
    if not paths:
        raise InfiniError(f"no documents to read outside {folder}")
    check_writable(folder, folder=True)
    folder.mkdir(parents=True, exist_ok=True)
    key = settings_key(settings)
    out = Plan(folder, settings, key, Index(folder))
    for path in paths:
        try:
            sha = content_sha256(path, task)
        except InfiniError as exc:
            job = {"input": path, "sha256": "", "output": None}
            out.failed.append(out.record(job, {"status": "failed", "error": str(exc)}))
            continue
        done = out.index.finished(sha, key)
        if done is not None and not (retry_failed and done["status"] == "failed"):
            out.skipped.append(done)
            continue
        output = str(folder / f"{_stem(path)}.{sha[:12]}.{key[:8]}{OUTPUT_SUFFIX[task]}")
        out.jobs.append({"input": path, "sha256": sha, "output": output})
    return out


def prepare(inputs: list[str], folder: Path, settings: dict, ray: str | None, workers: int | None,
            threads: int | None, retry_failed: bool = False, say=lambda _: None) -> tuple[Plan, object, str]:
    """Everything before the workers start, each problem one sentence: the model and parameters named, the
    pool's shape (here before the inputs are hashed; a cluster's once joined), the plan; the model pulled
    once, here, not by every worker at the same time. Returns the plan, the pool and how to name it."""
    from infinicli import model_store
    from infinicli.batch import pools
    from infinicli.session import check_params

    check_params(settings["params"])
    kind, _, _ = model_store.resolve(settings["model"])
    log = folder / "workers.log"
    if ray is None:
        pool, where = pools.make(settings, None, workers, threads, log)
    the_plan = plan(inputs, folder, settings, retry_failed)
    if ray is not None:  # a cluster is joined only when there is something to run on it
        pool, where = (pools.make(settings, ray, workers, threads, log) if the_plan.jobs
                       else (None, f"the Ray cluster at {ray}, not joined"))
    if the_plan.jobs and kind == "registry" and not model_store.is_pulled(settings["model"]):
        model_store.pull(settings["model"], say)
    total = len(the_plan.jobs) + len(the_plan.failed)
    say(f"{len(the_plan.skipped)} of {total + len(the_plan.skipped)} documents finished before; {total} to run on "
        f"{where}")
    return the_plan, pool, where


def run(the_plan: Plan, pool, where: str, on_record) -> dict:
    """Run the plan's jobs on the pool (None when there are none), appending each record to the index as
    it comes (inputs that could not be hashed first); on_record(record, totals) hears of each, with the
    documents, tokens and failures so far and the seconds since the start. Ctrl-C keeps what has finished.
    Returns the report (for --json and the closing lines)."""
    from infinicli.errors import Interrupted

    records: list[dict] = []
    totals = {"documents": 0, "tokens": 0, "failed": 0, "seconds": 0.0}
    start = time.perf_counter()

    def keep(record: dict) -> None:
        the_plan.index.append(record)
        records.append(record)
        totals["documents"] += 1
        totals["tokens"] += record["tokens"] or 0
        totals["failed"] += record["status"] != "done"
        totals["seconds"] = time.perf_counter() - start
        on_record(record, totals)

    try:
        for record in the_plan.failed:
            keep(record)
        if pool is not None:
            with pool:
                pool.run(the_plan.jobs, lambda job, result: keep(the_plan.record(job, result)))
    except Interrupted:
        raise Interrupted(f"interrupted; the {len(records)} documents finished are in {the_plan.index.path}, "
                          "and the same command goes on from there") from None
    return report(the_plan, records, time.perf_counter() - start, where)


def report(the_plan: Plan, records: list[dict], seconds: float, where: str) -> dict:
    """What the batch did, for --json and the closing lines."""
    status = [r["status"] for r in records]
    tokens = sum(r["tokens"] or 0 for r in records if r["status"] == "done")
    return {"index": str(the_plan.index.path), "pool": where, "task": the_plan.settings["task"],
            "documents": len(records) + len(the_plan.skipped), "done": status.count("done"),
            "failed": status.count("failed"), "errors": status.count("error"), "skipped": len(the_plan.skipped),
            "seconds": round(seconds, 1), "tokens": tokens,
            "tokens_per_s": round(tokens / seconds, 1) if seconds else 0,
            "documents_per_hour": round(status.count("done") * 3600 / seconds, 1) if seconds else 0,
            "records": records}
