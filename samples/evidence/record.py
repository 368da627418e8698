"""Record, for questions whose answer line is known, every passage the evidence held while reading, with
both of its signals (the retrieval heads' attention, BM25), so that ways of ranking them can be compared
without reading again (samples/evidence/rank.py). Resumable: one JSON per question in --out.

    python samples/evidence/record.py [--out samples/bench/evidence] [--sets code,haystack,manual,prose]

Sets (one model load for all; each question reads its whole input with the question probed, as
`infini ask` / `infini code --question` do with their defaults):
- manual: the questions of samples/manual/questions.json that have an answer line (the R installation
  manual, 65K tokens, about 330 s a question here);
- code: the tiktoken questions of samples/code/questions.json (the installed package's sources);
- haystack: the three needles of samples/make_haystack.py in 32K tokens of the sample book;
- prose: questions a reader asks of the two real novels in samples/books (PROSE).

A candidate is marked `answer` when it holds the answer's line: for the manual, on the same page, its
text and the line's contain one another or it holds every answer keyword (a sentence that starts on
the line before the answer's line holds the answer but is not part of that line); for code, in the
answer's file and holding every keyword; for the haystack, holding the needle's number; for the
novels, naming the answer.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "samples"))
sys.path.insert(0, str(ROOT / "samples" / "manual"))


def manual_items() -> list[dict]:
    from run_questions import holds

    spec = json.loads((ROOT / "samples/manual/questions.json").read_text())
    out = []
    for n, q in enumerate(spec["questions"], 1):
        if q.get("broad"):
            continue
        out.append(
            {
                "set": "manual",
                "key": f"manual-q{n:02d}",
                "task": "ask",
                "path": str(ROOT / "samples/manual/manual.pdf"),
                "question": q["question"],
                "keywords": q["answer_keywords"],
                "kind": q["kind"],
                "is_answer": lambda c, q=q: (
                    holds(c, q)
                    or (
                        c.get("page") == q["page"] and all(k.lower() in c["text"].lower() for k in q["answer_keywords"])
                    )
                ),
            }
        )
    return sorted(out, key=lambda i: i["kind"] != "lexical")  # the questions a lexical match can answer first


def code_items() -> list[dict]:
    spec = json.loads((ROOT / "samples/code/questions.json").read_text())
    project = next(p for p in spec["projects"] if p["name"].startswith("tiktoken"))
    root = Path(sysconfig.get_paths()["purelib"]) / "tiktoken"
    out = []
    for n, q in enumerate(project["questions"], 1):

        def is_answer(c, q=q):
            return Path(c.get("path", "")).name == Path(q["file"]).name and all(
                k.lower() in c["text"].lower() for k in q["keywords"]
            )

        out.append(
            {
                "set": "code",
                "key": f"code-tiktoken-q{n}",
                "task": "code",
                "path": str(root),
                "question": q["q"],
                "keywords": q["keywords"],
                "kind": "code",
                "is_answer": is_answer,
            }
        )
    return out


def haystack_items(workdir: Path | None = None) -> list[dict]:
    import make_haystack

    out = []
    for needle, (depth, seed) in enumerate([(0.5, 0), (0.25, 1), (0.75, 2)]):
        text, meta = make_haystack.build(32000, depth, seed, needle)
        path = (workdir or Path()) / f"hay-32k-d{depth}-needle{needle}-seed{seed}.txt"
        if workdir is not None:
            path.write_text(text)
        out.append(
            {
                "set": "haystack",
                "key": f"haystack-32k-needle{needle}",
                "task": "ask",
                "path": str(path),
                "question": meta["question"],
                "keywords": [meta["answer"]],
                "kind": "needle",
                "is_answer": lambda c, a=meta["answer"]: a in c["text"],
            }
        )
    return out


PROSE = [  # (book in samples/books, question, keyword of the answer)
    ("dr-jekyll-and-mr-hyde", "What was the name of Dr. Jekyll's servant?", "Poole"),
    ("dr-jekyll-and-mr-hyde", "Who was murdered by Mr. Hyde?", "Carew"),
    ("alices-adventures-in-wonderland", "What is written on the little bottle Alice finds?", "DRINK ME"),
]


def prose_items() -> list[dict]:
    """Questions a reader asks of a real novel (the PDFs of samples/books); a passage holds the answer
    when it names it."""
    return [
        {
            "set": "prose",
            "key": f"prose-q{n}",
            "task": "ask",
            "path": str(ROOT / f"samples/books/{book}.pdf"),
            "question": q,
            "keywords": [k],
            "kind": "prose",
            "is_answer": lambda c, k=k: k.lower() in c["text"].lower(),
        }
        for n, (book, q, k) in enumerate(PROSE, 1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "samples/bench/evidence")
    parser.add_argument("--sets", default="code,haystack,manual,prose")
    parser.add_argument("--only", help="Only the question whose key is this.")
    args = parser.parse_args()
    from infinicli.session import Session

    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="infini-evidence-"))
    makers = {
        "manual": manual_items,
        "code": code_items,
        "haystack": lambda: haystack_items(work),
        "prose": prose_items,
    }
    items = [i for s in args.sets.split(",") for i in makers[s]()]
    session = None
    for item in items:
        target = args.out / f"{item['key']}.json"
        if target.exists() or (args.only and item["key"] != args.only):
            continue
        session = session or Session.load()
        t0 = time.perf_counter()
        if item["task"] == "code":
            result = session.code(item["path"], item["question"], candidates=True)
        else:
            result = session.ask(item["path"], item["question"], candidates=True)
        data = result.as_dict()
        for c in data["candidates"]:
            c["answer"] = bool(item["is_answer"](c))
        record = {
            "set": item["set"],
            "kind": item["kind"],
            "question": item["question"],
            "keywords": item["keywords"],
            "input": os.path.relpath(item["path"], ROOT) if item["set"] != "haystack" else Path(item["path"]).name,
            "answer": data["answer"],
            "answered_from": data["answered_from"],
            "evidence": data["evidence"],
            "answer_held": any(c["answer"] for c in data["candidates"]),
            "seconds": round(time.perf_counter() - t0, 1),
            "reading": data["reading"],
            "candidates": data["candidates"],
        }
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1) + "\n")
        os.replace(tmp, target)
        print(
            f"{item['key']}: {record['seconds']} s, {len(data['candidates'])} candidates, answer line held: "
            f"{record['answer_held']}; answer: {data['answer'][:100]!r}",
            flush=True,
        )


if __name__ == "__main__":
    main()
