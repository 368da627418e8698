"""Documents per hour of `infini batch` on this machine, by worker shape: the 12 chapters of Alice's
Adventures in Wonderland (public domain, samples/books/), one document each, one question put to each.

    python samples/batch/run_bench.py --out samples/bench/batch            # 1x2, 2x1 local, 2x1 on local Ray
    python samples/batch/run_bench.py --shapes 2x1 --task summarize --out samples/bench/batch

Each shape runs into a fresh results folder, so nothing is skipped; its `infini batch --json` report is
kept as OUT/TASK-WORKERSxTHREADS[-ray].json. Run it alone on the machine: the shapes share its cores.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BOOK = Path(__file__).resolve().parent.parent / "books" / "alices-adventures-in-wonderland.txt"
QUESTION = "Who does Alice meet in this chapter?"


def chapters(folder: Path) -> list[Path]:
    parts = re.split(r"\n(?=CHAPTER [IVXL]+\.)", BOOK.read_text(encoding="utf-8"))[1:]
    docs = []
    for i, part in enumerate(parts, 1):
        doc = folder / f"chapter-{i:02d}.txt"
        doc.write_text(part, encoding="utf-8")
        docs.append(doc)
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--shapes", default="1x2,2x1,2x1-ray", help="WORKERSxTHREADS, -ray to run on a local Ray instance")
    ap.add_argument("--task", default="ask", choices=["ask", "summarize"])
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "docs").mkdir()
        docs = chapters(Path(tmp) / "docs")
        for shape in args.shapes.split(","):
            workers, threads = shape.removesuffix("-ray").split("x")
            command = [sys.executable, "-m", "infinicli", "batch", str(Path(tmp) / "docs"), "--task", args.task,
                       "--workers", workers, "--threads", threads, "--out", str(Path(tmp) / shape), "--json"]
            if args.task == "ask":
                command += ["-q", QUESTION]
            if shape.endswith("-ray"):
                command += ["--ray", "local"]
            t0 = time.perf_counter()
            proc = subprocess.run(command, capture_output=True, text=True, check=True)
            report = json.loads(proc.stdout)
            report["wall_seconds"] = round(time.perf_counter() - t0, 1)  # with the start: imports, model loads
            shown = shlex.join(["infini"] + command[3:]).replace(tmp, "$TMP")
            report["command"] = re.sub(r"'(\$TMP/[^' ]*)'", r"\1", shown)  # $TMP: the script's temporary folder
            report["documents_in"] = len(docs)
            for r in report["records"]:
                r["input"] = r["input"].replace(tmp, "$TMP")
                r["output"] = r["output"] and Path(r["output"]).name
            (args.out / f"{args.task}-{shape}.json").write_text(json.dumps(report, indent=2) + "\n")
            print(f"{shape}: {report['done']} done, {report['seconds']} s, {report['documents_per_hour']} documents/h, "
                  f"{report['tokens_per_s']} tok/s, wall {report['wall_seconds']} s", flush=True)


if __name__ == "__main__":
    main()
