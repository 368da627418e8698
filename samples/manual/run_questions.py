"""Ask `infini ask` every question in questions.json about manual.pdf and record what it answered and
cited (resumable: one JSON per question in --out).

    python samples/manual/run_questions.py [--out samples/bench/ask-manual] [--only N]

Per question: whether the answer holds every keyword; whether the answer's line is among the 3 cited
passages (fused evidence), and among the top 3 by the retrieval heads' attention alone and by the
lexical match alone; and, as a no-model baseline on the same units, whether BM25 (bm25s) over every
passage infini cuts the manual into puts it in its top 3. A passage "holds" the answer's line when the
line's text (white space collapsed) is part of it or it is part of the line, on the same page.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def norm(text: str) -> str:
    return " ".join(text.replace("\ufffe", "").split()).lower()


def holds(passage: dict, item: dict) -> bool:
    if passage.get("page") != item["page"]:
        return False
    a, b = norm(passage["text"]), norm(item["line_text"])
    return bool(a) and (b in a or a in b)


def bm25_top3(pdf: Path, items: list[dict]) -> list[bool]:
    """BM25 over infini's own passages of the manual (sentences, with their page)."""
    import bm25s

    from infinicli.sources import open_source
    from infinicli.tokens import passages_of

    units = [p for chunk in open_source(str(pdf)) for p in passages_of(chunk, "sentence")[1] if p.text]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([u.text for u in units], stopwords="en", show_progress=False), show_progress=False)
    out = []
    for item in items:
        docs, _ = retriever.retrieve(bm25s.tokenize([item["question"]], stopwords="en", show_progress=False), k=3,
                                     show_progress=False)
        out.append(any(holds({"page": units[i].page, "text": units[i].text}, item) for i in docs[0]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "samples/bench/ask-manual")
    parser.add_argument("--only", type=int, help="Only question N (1-based).")
    args = parser.parse_args()
    spec = json.loads((HERE / "questions.json").read_text())
    pdf = HERE / spec["pdf"]
    args.out.mkdir(parents=True, exist_ok=True)
    items = spec["questions"]
    lexical = bm25_top3(pdf, [q for q in items if not q.get("broad")])
    rows = []
    for n, item in enumerate(items, 1):
        if args.only and n != args.only:
            continue
        path = args.out / f"q{n:02d}.json"
        if not path.exists():
            cmd = [sys.executable, "-m", "infinicli", "ask", str(pdf.relative_to(ROOT)), "--question",
                   item["question"], "--json"]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            if proc.returncode != 0:
                sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
            data = json.loads(proc.stdout)
            data["command"] = ("infini ask samples/manual/manual.pdf --question " + json.dumps(item["question"])
                               + " --json")
            data["wall_seconds"] = round(time.perf_counter() - t0, 1)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=1) + "\n")
            os.replace(tmp, path)
        data = json.loads(path.read_text())
        answer = data["answer"]
        row = {"n": n, "kind": "broad" if item.get("broad") else item.get("kind", ""), "page": item.get("page"),
               "right": all(k.lower() in answer.lower() for k in item["answer_keywords"]),
               "answer": answer, "seconds": data["wall_seconds"], "peak_rss_mb": data["reading"]["peak_rss_mb"]}
        if not item.get("broad"):
            row |= {"cited": any(holds(e, item) for e in data["evidence"]),
                    "attention_top3": any(holds(e, item) for e in data["by_signal"]["attention"]),
                    "lexical_top3": any(holds(e, item) for e in data["by_signal"]["lexical"]),
                    "bm25s_top3": lexical[[q for q in items if not q.get("broad")].index(item)]}
        rows.append(row)
        print(json.dumps(row), flush=True)
    facts = [r for r in rows if r["kind"] != "broad"]
    summary = {k: sum(bool(r.get(k)) for r in facts) for k in ("right", "cited", "attention_top3", "lexical_top3",
                                                                "bm25s_top3")}
    summary["questions"] = len(facts)
    summary["broad_right"] = sum(r["right"] for r in rows if r["kind"] == "broad")
    (args.out / "summary.json").write_text(json.dumps({"summary": summary, "rows": rows}, indent=1) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
