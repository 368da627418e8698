"""Ask `infini code` the questions in questions.json and record every answer (resumable).

    python samples/code/run_questions.py [--out samples/code/results.json] [--oracle]

Each question is a fresh `infini code DIR --question Q --json` run, so the question steers what the
recall pool keeps while the repository streams through the model. An answer is right when it holds
every keyword; `quoted_right` says whether one of the lines it quotes does.

--oracle asks instead `infini ask FILE --question Q --json` on the one file that holds the answer,
which fits the model's context and is read with exact attention: the model's own ceiling on these
questions, with retrieval taken out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--project", help="Only the project whose name starts with this.")
    parser.add_argument("--oracle", action="store_true", help="Ask the answer's own file only.")
    args = parser.parse_args()
    spec = json.loads((HERE / "questions.json").read_text())
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    site = sysconfig.get_paths()["purelib"]
    for project in spec["projects"]:
        if args.project and not project["name"].startswith(args.project):
            continue
        path = project["path"].replace("{site-packages}", site)
        if project["path"] == ".":
            path = str(HERE.parent.parent)
        for item in project["questions"]:
            key = f"{project['name']} :: {item['q']}"
            if key in results:
                continue
            cmd = [sys.executable, "-m", "infinicli", "code", path, *project["args"], "--question", item["q"],
                   "--json"]
            if args.oracle:
                cmd = [sys.executable, "-m", "infinicli", "ask", str(Path(path) / item["file"]), "--question",
                       item["q"], "--json"]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
            data = json.loads(proc.stdout)
            answer = data["answer"]
            results[key] = {
                "project": project["name"], "question": item["q"], "expected": item["keywords"],
                "file": item["file"], "answer": answer,
                "right": all(k.lower() in answer.lower() for k in item["keywords"]),
                "quotes": data.get("quotes", []),
                "quoted_right": any(all(k.lower() in q["text"].lower() for k in item["keywords"])
                                    for q in data.get("quotes", [])),
                "names_file": Path(item["file"]).name in answer
                or any(Path(f).name == Path(item["file"]).name for f in data.get("files", [])),
                "files_recalled": data.get("files", []),
                "files": data["totals"]["files"] if "totals" in data else 1, "tokens": data["reading"]["tokens"],
                "seconds": data["reading"]["seconds"], "peak_rss_mb": data["reading"]["peak_rss_mb"],
                "mode": data["reading"]["mode"],
            }
            tmp = args.out.with_suffix(".tmp")
            tmp.write_text(json.dumps(results, indent=2) + "\n")
            os.replace(tmp, args.out)
            print(f"{'RIGHT' if results[key]['right'] else 'wrong'}  {key}\n       -> {answer}"
                  f"\n       (answer's line quoted: {'yes' if results[key]['quoted_right'] else 'no'})", flush=True)
    right = sum(r["right"] for r in results.values())
    quoted = sum(r.get("quoted_right", False) for r in results.values())
    print(f"{right}/{len(results)} answers right; the answer's line among the quoted lines: {quoted}/{len(results)}")


if __name__ == "__main__":
    main()
