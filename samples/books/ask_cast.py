"""Ask each book "Who are the main characters?" and count the characters the answer names.

    python samples/books/ask_cast.py --out samples/bench/ask-cast/after.json

Each book is a fresh `infini ask BOOK --question Q --json`. The characters of each book are listed in
cast.json with where the list comes from; a character counts as named when the answer holds one of
its words whole. Capitalised words of the answer that are no character's are listed as `others`
(places, a title's word): what a reader would find out of place in the answer.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def named(answer: str, words: list[str]) -> bool:
    return any(re.search(rf"\b{re.escape(w)}\b", answer) for w in words)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    spec = json.loads((HERE / "cast.json").read_text())
    rows = []
    for book in spec["books"]:
        cmd = [sys.executable, "-m", "infinicli", "ask", str(ROOT / book["pdf"]), "--question", spec["question"],
               "--json"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
        data = json.loads(proc.stdout)
        answer = data["answer"]
        found = [c[0] for c in book["characters"] if named(answer, c)]
        words = {w for c in book["characters"] for name in c for w in name.split()}
        others = sorted({w for w in re.findall(r"\b[A-Z][a-z]+\b", answer) if w not in words} - {"Named", "The"})
        rows.append({"book": book["pdf"], "answer": answer, "answered_from": data["answered_from"],
                     "characters": len(book["characters"]), "named": found, "others": others,
                     "evidence": data["evidence"], "seconds": data["reading"]["seconds"],
                     "peak_rss_mb": data["reading"]["peak_rss_mb"]})
        print(f"{len(found)}/{len(book['characters'])}  {book['pdf']}\n    -> {answer}\n    others: {others}",
              flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"question": spec["question"], "command": " ".join(sys.argv), "rows": rows},
                              indent=2) + "\n")
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
