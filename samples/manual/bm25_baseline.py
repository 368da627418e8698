"""Lexical baseline for samples/manual/questions.json: BM25 over lines and 3-line passages.

Units, both built from PDFium's page text (see pdftext.py):
- line: each non-empty line of each page, with its page and its 1-based line number on
  the page (empty lines count in the numbering, so the numbers match questions.json);
- passage: consecutive runs of 3 non-empty lines within one page (the last run of a page
  may be shorter); a passage is a hit when it holds the answer line.

Tokens: lowercase words of two or more word characters (bm25s's default pattern), less
English stopwords; no stemming. --stopwords en (default) drops bm25s's "en" list, the 33
words of Lucene's English analyzer; --stopwords en_plus drops its 179-word "en_plus" list
(NLTK's), which also takes out question words such as "which" and "how". Ranking: bm25s (Lucene BM25, k1=1.5, b=0.75), with
ties broken by document order. The full score vector is ranked, so the rank of the answer
is known even past 10.

    python samples/manual/bm25_baseline.py                       # bm25-baseline.{json,md}
    python samples/manual/bm25_baseline.py --stopwords en_plus   # bm25-baseline-en_plus.*
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_EN_PLUS
from pdftext import page_texts

HERE = Path(__file__).resolve().parent
TOKEN = re.compile(r"(?u)\b\w\w+\b")
STOPWORDS = {"en": frozenset(STOPWORDS_EN), "en_plus": frozenset(STOPWORDS_EN_PLUS)}
STOP = STOPWORDS["en"]
PASSAGE_LINES = 3
KS = (1, 3, 10)


def tokenize(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.lower()) if t not in STOP]


def build_units(pages: list[str]) -> tuple[list[dict], list[dict]]:
    lines, passages = [], []
    for p, text in enumerate(pages, start=1):
        numbered = [(i, s) for i, s in enumerate(text.split("\n"), start=1) if s.strip()]
        lines += [{"page": p, "line": i, "text": s} for i, s in numbered]
        for j in range(0, len(numbered), PASSAGE_LINES):
            run = numbered[j:j + PASSAGE_LINES]
            passages.append({
                "page": p,
                "lines": [i for i, _ in run],
                "text": "\n".join(s for _, s in run),
            })
    return lines, passages


class Index:
    def __init__(self, units: list[dict]):
        self.units = units
        corpus = [tokenize(u["text"]) for u in units]
        self.bm25 = bm25s.BM25()
        self.bm25.index(corpus, show_progress=False)
        self.vocab = self.bm25.vocab_dict

    def ranking(self, query: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
        terms = [t for t in tokenize(query) if t in self.vocab]
        if not terms:
            scores = np.zeros(len(self.units), dtype=np.float32)
        else:
            scores = np.asarray(self.bm25.get_scores(terms))
        order = np.lexsort((np.arange(len(scores)), -scores))  # score desc, then doc order
        return order, scores, terms


def rank_of(order: np.ndarray, scores: np.ndarray, units: list[dict], hit) -> int | None:
    """1-based rank of the first unit that holds the answer and has a score above 0."""
    for r, idx in enumerate(order, start=1):
        if scores[idx] <= 0:
            return None
        if hit(units[idx]):
            return r
    return None


def main() -> None:
    global STOP
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stopwords", choices=sorted(STOPWORDS), default="en")
    args = ap.parse_args()
    STOP = STOPWORDS[args.stopwords]
    suffix = "" if args.stopwords == "en" else f"-{args.stopwords}"
    t0 = time.perf_counter()
    spec = json.loads((HERE / "questions.json").read_text(encoding="utf-8"))
    pages = page_texts(HERE / spec["pdf"])
    t_extract = time.perf_counter() - t0

    t1 = time.perf_counter()
    lines, passages = build_units(pages)
    line_ix, passage_ix = Index(lines), Index(passages)
    t_index = time.perf_counter() - t1

    t2 = time.perf_counter()
    rows = []
    for n, q in enumerate(spec["questions"], start=1):
        if q.get("broad"):
            continue
        page, line = q["page"], q["line"]
        assert pages[page - 1].split("\n")[line - 1] == q["line_text"], f"Q{n}: line moved"
        row = {"n": n, "question": q["question"], "kind": q.get("kind"),
               "page": page, "line": line, "depth": q["depth"]}
        for name, ix, hit in (
            ("line", line_ix, lambda u: u["page"] == page and u["line"] == line),
            ("passage", passage_ix, lambda u: u["page"] == page and line in u["lines"]),
        ):
            order, scores, terms = ix.ranking(q["question"])
            r = rank_of(order, scores, ix.units, hit)
            top = ix.units[order[0]]
            row[name] = {
                "rank": r,
                **{f"top{k}": r is not None and r <= k for k in KS},
                "top1_at": f"p{top['page']}:{top.get('line', top.get('lines', [None])[0])}",
            }
        row["query_terms"] = terms
        rows.append(row)
    t_query = time.perf_counter() - t2

    totals = {
        name: {f"top{k}": sum(r[name][f"top{k}"] for r in rows) for k in KS}
        for name in ("line", "passage")
    }
    by_kind = {
        kind: {
            name: {f"top{k}": sum(r[name][f"top{k}"] for r in rows if r["kind"] == kind)
                   for k in KS}
            for name in ("line", "passage")
        } | {"questions": sum(r["kind"] == kind for r in rows)}
        for kind in sorted({r["kind"] for r in rows})
    }
    result = {
        "command": "python samples/manual/bm25_baseline.py"
                   + ("" if not suffix else f" --stopwords {args.stopwords}"),
        "pdf": spec["pdf"],
        "pages": len(pages),
        "units": {"line": len(lines), "passage": len(passages)},
        "passage_lines": PASSAGE_LINES,
        "tokenizer": "lowercase, (?u)\\b\\w\\w+\\b, no stemming",
        "stopwords": f"bm25s {args.stopwords} ({len(STOP)} words)",
        "bm25": {"library": f"bm25s {bm25s.__version__}", "method": "lucene",
                 "k1": 1.5, "b": 0.75},
        "questions": len(rows),
        "totals": totals,
        "by_kind": by_kind,
        "seconds": {"extract": round(t_extract, 3), "index": round(t_index, 3),
                    "query": round(t_query, 3)},
        "rows": rows,
    }
    (HERE / f"bm25-baseline{suffix}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False)
                                             + "\n", encoding="utf-8")
    md = markdown(result)
    (HERE / f"bm25-baseline{suffix}.md").write_text(md, encoding="utf-8")
    print(md)


def markdown(res: dict) -> str:
    def mark(cell: dict) -> str:
        r = cell["rank"]
        return "—" if r is None else str(r)

    def yes(b: bool) -> str:
        return "✓" if b else "·"

    out = [
        "| # | kind | page (depth) | line rank | line top1/3/10 | passage rank | "
        "passage top1/3/10 |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in res["rows"]:
        ln, ps = r["line"], r["passage"]
        out.append(
            f"| {r['n']} | {r['kind']} | {r['page']} ({r['depth']:.0%}) | {mark(ln)} | "
            f"{yes(ln['top1'])} {yes(ln['top3'])} {yes(ln['top10'])} | {mark(ps)} | "
            f"{yes(ps['top1'])} {yes(ps['top3'])} {yes(ps['top10'])} |"
        )
    n = res["questions"]
    t = res["totals"]
    out.append(
        f"| all | {n} questions | | | {t['line']['top1']}/{t['line']['top3']}/"
        f"{t['line']['top10']} | | {t['passage']['top1']}/{t['passage']['top3']}/"
        f"{t['passage']['top10']} |"
    )
    for kind, c in res["by_kind"].items():
        out.append(
            f"| | {kind} ({c['questions']}) | | | {c['line']['top1']}/{c['line']['top3']}/"
            f"{c['line']['top10']} | | {c['passage']['top1']}/{c['passage']['top3']}/"
            f"{c['passage']['top10']} |"
        )
    s = res["seconds"]
    out += [
        "",
        f"{res['units']['line']} lines and {res['units']['passage']} passages of "
        f"{res['passage_lines']} lines from {res['pages']} pages, stopwords "
        f"{res['stopwords']}; rank — means the answer "
        "shares no scored term with the question. Extraction "
        f"{s['extract']:.2f} s, indexing {s['index']:.2f} s, {n} queries × 2 "
        f"{s['query']:.3f} s.",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    main()
