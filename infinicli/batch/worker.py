"""A batch worker: the model loaded once, then one document at a time, each through the same task
function the command for it calls, its output written atomically. What a document does wrong is a
record ("failed" for bad input, "error" for a bug), never the end of the worker.

Run by the local pool as a process that speaks JSON lines (no pickle):

    python -m infinicli.batch.worker '{"settings": {...}, "threads": 1}'
    stdout: {"ready": "host:pid"} or {"fatal": "why the model did not load"}, then one result per job
    stdin:  one job a line: {"input": ..., "sha256": ..., "output": ...}

and by the Ray pool inside an actor (pools.py).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time

from infinicli.batch import ENGINE
from infinicli.errors import InfiniError


def _one_line(text: str, most: int = 300) -> str:
    from infinicli.ui import clean

    line = " ".join(clean(text).split())
    return line if len(line) <= most else line[:most - 1] + "…"


class Worker:
    def __init__(self, settings: dict, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        self.settings, self.where, self.fatal = settings, f"{socket.gethostname()}:{os.getpid()}", None
        from infinicli.session import Session

        try:
            self.session = Session.load(**{k: settings[k] for k in ENGINE})
        except InfiniError as exc:  # the driver stops the batch with this sentence
            self.fatal = _one_line(str(exc))

    def hello(self) -> dict:
        return {"fatal": self.fatal} if self.fatal else {"ready": self.where}

    def run(self, job: dict) -> dict:
        """Run the task on one document: status done (tokens, and the answer for ask/code), failed (the
        input's one sentence) or error (a bug: one line); seconds, this worker's peak RSS, where."""
        from infinicli.engine import peak_rss_mb

        t0 = time.perf_counter()
        try:
            out = {"status": "done"} | self._task(job["input"], job["output"])
        except InfiniError as exc:
            out = {"status": "failed", "error": _one_line(str(exc))}
        except Exception as exc:  # one document's bug must not end the batch; it runs again next time
            out = {"status": "error", "error": _one_line(f"internal error ({type(exc).__name__}: {exc})")}
        return out | {"seconds": round(time.perf_counter() - t0, 2), "peak_rss_mb": round(peak_rss_mb(), 1),
                      "worker": self.where}

    def _task(self, path: str, output: str) -> dict:
        from infinicli.atomic import write_text

        s, session = self.settings, self.session  # each task opens its input through sources, which checks it
        if s["task"] == "ask":
            result = session.ask(path, s["question"], max_tokens=s["max_tokens"])
            write_text(output, json.dumps(result.as_dict(), indent=2, default=str) + "\n")
            return {"tokens": result.reading.tokens, "answer": result.answer}
        if s["task"] == "code":
            result = session.code(path, s["question"], max_tokens=s["max_tokens"])
            write_text(output, json.dumps(result.as_dict(), indent=2, default=str) + "\n")
            return {"tokens": result.reading.tokens, "answer": result.answer}
        if s["task"] == "summarize":
            summary = session.summarize(path, length=s["length"], notes=s["notes"])
            write_text(output, summary.markdown())
            return {"tokens": summary.reading.tokens}
        result = session.read(path, output, force=True)
        return {"tokens": result.tokens}


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's: it stops the workers
    config = json.loads(sys.argv[1])
    reply = sys.stdout
    sys.stdout = sys.stderr  # whatever a library prints goes to the log, not into the replies
    worker = Worker(config["settings"], config["threads"])
    print(json.dumps(worker.hello()), file=reply, flush=True)
    if worker.fatal:
        return
    for line in sys.stdin:
        print(json.dumps(worker.run(json.loads(line))), file=reply, flush=True)


if __name__ == "__main__":
    main()
