"""In what order should `ask` give the model its cited lines? Replays recorded answers' evidence
through the model under several orders and counts the right answers, checked as `ask` checks them.

    python samples/ask/answer_order.py --extra samples/bench/ask-order/recordings/extra.json \
        --out samples/bench/ask-order                                           # ~1.5 min

The questions, each with the 3 passages a recorded `infini ask --json` cited (text, page or position,
score) and the keywords a right answer holds (every one, case-insensitive):
- the R manual's questions with an answer line (samples/manual/questions.json; evidence from
  samples/bench/ask-manual-3/), checked against that manual's words;
- the prose needles of samples/bench/ask-haystack/ (*-from-quotes.json; the haystack rebuilt by
  samples/make_haystack.py with the recorded arguments for the check);
- the recordings named by --extra (a JSON list of {"file", "document", "keywords", "get"}, paths from
  the repository's top): samples/bench/ask-order/recordings/ holds Alice's bottle, Jekyll's servant
  and two questions on the Asymptote manual (left out when its PDF is not where "get" puts it).
Each order writes the answer with ask.answer_from and checks it with ask.held_up, as `infini ask`
does, once without and once with evidence.off_the_question (an answer must rest on a line that matches
its question as well as any cited line does); an answer that does not hold up becomes the cited lines,
in the document's order, which count as right when they hold the keywords (as run_questions.py counts
them).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ORDERS = {
    "document": lambda ev: sorted(ev, key=lambda e: (e.get("page") or 0, e.get("line") or 0, e.get("position") or 0)),
    "best first": lambda ev: sorted(ev, key=lambda e: -e["score"]),
    "best last": lambda ev: sorted(ev, key=lambda e: e["score"]),
    "best alone": lambda ev: sorted(ev, key=lambda e: -e["score"])[:1],
}


def right(text: str, keywords: list[str]) -> bool:
    return all(k.lower() in text.lower() for k in keywords)


def words_of(path: str):
    from infinicli.evidence import DocumentWords
    from infinicli.sources import open_source
    from infinicli.tokens import passages_of

    words = DocumentWords()
    for chunk in open_source(path):
        words.add_passages(passages_of(chunk, "sentence")[1])
    return words


def cases(extra: Path | None) -> list[dict]:
    out = []
    manual = json.loads((ROOT / "samples/manual/questions.json").read_text())
    for n, item in enumerate(manual["questions"], 1):
        rec = ROOT / f"samples/bench/ask-manual-3/q{n:02d}.json"
        if item.get("answer_keywords") and rec.exists():
            ev = json.loads(rec.read_text())["evidence"]
            out.append({"name": f"manual q{n}", "question": item["question"], "evidence": ev,
                        "keywords": item["answer_keywords"], "document": str(ROOT / "samples/manual/manual.pdf")})
    for rec in sorted((ROOT / "samples/bench/ask-haystack").glob("*-from-quotes.json")):
        d = json.loads(rec.read_text())
        h = d["haystack"]
        ev = [{"text": q["text"], "position": q["position"], "score": q["score"]} for q in d["quotes"]]
        make = shlex.split(d["command"].split("&&")[0])[1:]
        out.append({"name": rec.stem, "question": h["question"], "evidence": ev, "keywords": [h["answer"]],
                    "make": make, "prefix": h.get("answer_prefix", "")})
    if extra is not None:
        for e in json.loads(extra.read_text()):
            if not (ROOT / e["document"]).exists():
                print(f"left out {e['file']}: {e['document']} is missing (get it: {e.get('get', '?')})")
                continue
            d = json.loads((ROOT / e["file"]).read_text())
            out.append({"name": Path(e["file"]).stem, "question": d["question"], "evidence": d["evidence"],
                        "keywords": e["keywords"], "document": str(ROOT / e["document"])})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--extra", type=Path, help="more recordings: [{file, document, keywords}]")
    args = ap.parse_args()

    from infinicli import evidence
    from infinicli.session import Session
    from infinicli.tasks import ask

    session = Session.load()
    rows, words = [], {}
    for case in cases(args.extra):
        doc = case.get("document")
        if doc is None:  # a haystack: rebuild it to check against its words
            tmp = Path(tempfile.mkdtemp()) / "hay.txt"
            make = list(case["make"])
            make[make.index("--out") + 1] = str(tmp)
            subprocess.run([sys.executable, str(ROOT / make[0]), *make[1:]], check=True, capture_output=True)
            doc = str(tmp)
        if doc not in words:
            words[doc] = words_of(doc)
        row = {"name": case["name"], "question": case["question"], "keywords": case["keywords"], "orders": {}}
        for name, order in ORDERS.items():
            lines = [e["text"] for e in order(case["evidence"])]
            cited = [e["text"] for e in ORDERS["document"](case["evidence"])]
            t = time.perf_counter()
            text = ask.answer_from(session.engine, session.tok, case["question"], lines,
                                   prefix=case.get("prefix", ""))
            seconds = round(time.perf_counter() - t, 1)
            for rule in (False, True):  # the same words checked without and with evidence.off_the_question
                evidence.ON_THE_QUESTION = rule
                kept, source, _, _ = ask.held_up(words[doc], text, "evidence", case["question"], lines, cited)
                row["orders"][name + (", on the question" if rule else "")] = {
                    "written": text, "answer": kept, "from": source, "right": right(kept, case["keywords"]),
                    "seconds": seconds}
        rows.append(row)
        print(case["name"], " ".join(f"{k}={'Y' if v['right'] else '-'}{'q' if v['from'] == 'quote' else ''}"
                                     for k, v in row["orders"].items()), flush=True)
    table = ["| order | right | written by the model and right | answered by the quotes |", "|---|---|---|---|"]
    for name in rows[0]["orders"] if rows else []:
        r = sum(row["orders"][name]["right"] for row in rows)
        w = sum(row["orders"][name]["right"] and row["orders"][name]["from"] != "quote" for row in rows)
        q = sum(row["orders"][name]["from"] == "quote" for row in rows)
        table.append(f"| {name} | {r}/{len(rows)} | {w} | {q} |")
    print("\n".join(table))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "rows.json").write_text(json.dumps(rows, indent=1))
        (args.out / "table.md").write_text("\n".join(table) + "\n")


if __name__ == "__main__":
    main()
