"""Compare ways of ranking the evidence on recorded questions (samples/evidence/record.py): how often
the answer's line is among the 3 passages an answer is written from, per set of questions.

    python samples/evidence/rank.py [--dir samples/bench/evidence] [--json OUT] [--explore] [--show]
    python samples/evidence/rank.py --answers samples/bench/evidence/answers.json   # loads the model

The question's attention in the retrieval heads comes from the recording (the model read each input
once, with the question); every passage outside the recorded candidates had less attention than all
of them. The lexical match is computed again here, with infinicli.evidence as it is now, over every
passage of the same input (the PDF, the repository, the haystack rebuilt from its seed): so a change
to the lexical match or to the fusion is measured without the model. The recorded lexical scores
give the rows marked "before" (the lexical match as it was when the recording was made). The haystacks
are rebuilt with the default model's tokenizer, as they were recorded: without it they differ, and
the script says which passages it cannot find again.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import sysconfig
from pathlib import Path

from infinicli import evidence
from infinicli.sources import open_source
from infinicli.tokens import passages_of

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TOP = 3


def key(c: dict) -> tuple:
    return c.get("page"), c.get("path"), c["line"], c["text"]


def input_chunks(record: dict):
    if record["set"] == "code":
        from infinicli.sources.repo import iter_repo_chunks
        from infinicli.tasks import code

        root = Path(sysconfig.get_paths()["purelib"]) / Path(record["input"]).name  # an installed package
        return iter_repo_chunks(code.scan(root)), "line"
    if record["set"] == "haystack":
        sys.path.insert(0, str(ROOT / "samples"))
        import make_haystack

        m = re.match(r"hay-32k-d([\d.]+)-needle(\d)-seed(\d+)\.txt", record["input"])
        text, _ = make_haystack.build(32000, float(m[1]), int(m[3]), int(m[2]))
        from infinicli.sources import Chunk

        return [Chunk(text, record["candidates"][0]["path"], None, 1)], "sentence"
    return open_source(str(ROOT / record["input"])), "sentence"


def answer_rules(sets: tuple[str, ...] = ("manual", "code", "haystack", "prose")) -> dict:
    """Each recorded question's rule for a passage that holds its answer (record.py's)."""
    sys.path.insert(0, str(HERE))
    import record

    makers = {
        "manual": record.manual_items,
        "code": record.code_items,
        "haystack": record.haystack_items,
        "prose": record.prose_items,
    }
    return {i["key"]: i["is_answer"] for s in sets for i in makers[s]()}


@functools.cache
def input_passages(kind: str, name: str, origin: str | None) -> list[list]:
    """The input's passages, chunk by chunk (parsed once for all the questions about it)."""
    chunks, by = input_chunks({"set": kind, "input": name, "candidates": [{"path": origin}]})
    return [passages_of(chunk, by)[1] for chunk in chunks if chunk.text]


def everything(record: dict, is_answer, context: float | None = None) -> list[dict]:
    """Every passage of the input with the lexical match of now and the recorded attention, and whether
    it holds the answer."""
    ev = evidence.Evidence(record["question"], keep=10**9, context=context)
    for passages in input_passages(record["set"], record["input"], record["candidates"][0].get("path")):
        ev.add(passages, None)
    recorded = {key(c): c for c in record["candidates"]}
    floor = min(c["attention"] for c in record["candidates"]) - 1.0
    out = []
    now = ev.candidates()
    found = {key(c) for c in now}
    lost = [r for r in record["candidates"] if key(r) not in found]
    # the passages are cut otherwise now: a line no longer taken for a heading joins its sentence, a
    # short line of a typeset page (tokens.SHORT_LINE) stands alone. Each new passage takes the recorded
    # ones not found again that overlap it on its page or file; a recorded passage cut in several shares
    # its attention (a sum over its tokens) among them by their length.
    near = {}
    for i, c in enumerate(now):
        if key(c) not in recorded and lost:
            near[i] = [r for r in lost if (r.get("page"), r.get("path")) == (c.get("page"), c.get("path"))
                       and (r["text"][:30] in c["text"] or c["text"][:30] in r["text"])]
            found |= {key(r) for r in near[i]}
    length_of: dict = {}
    for i, rs in near.items():
        for r in rs:
            length_of[key(r)] = length_of.get(key(r), 0) + len(now[i]["text"])
    for i, c in enumerate(now):
        was = recorded.get(key(c))
        if was is None and near.get(i):
            rs = near[i]
            was = {"attention": sum(r["attention"] * len(c["text"]) / length_of[key(r)] for r in rs),
                   "tokens": c["tokens"], "lexical": max(r["lexical"] for r in rs)}
        out.append(
            c
            | {
                "attention": was["attention"] if was else floor,
                "answer": bool(is_answer(c)),
                "tokens": was["tokens"] if was else c["tokens"],
                "recorded_lexical": was["lexical"] if was else 0.0,
            }
        )
    # a page number alone is no longer read (sources.pdf blanks it): the one recorded passage that may go
    missing = [k for k in recorded if k not in found and re.search(r"[^\W\d_]", recorded[k]["text"])]
    if missing:
        raise SystemExit(f"{record['question']}: {len(missing)} recorded passages not found again, e.g. {missing[0]}")
    return out


def by_fuse(
    cands: list[dict], lexical: str = "lexical", use_attention: bool = True, use_lexical: bool = True
) -> list[dict]:
    scores = evidence.fuse([c["attention"] for c in cands], [c[lexical] for c in cands], use_attention, use_lexical)
    return evidence.once([c for _, c in sorted(zip(scores, cands), key=lambda p: -p[0])], lambda c: c["text"])


def by_bm25s(cands: list[dict], question: str) -> list[dict]:
    """bm25s (a well-kept BM25 library, no model) over the same passages: the lexical baseline."""
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize([c["text"] for c in cands], stopwords="en", show_progress=False), show_progress=False
    )
    docs, _ = retriever.retrieve(
        bm25s.tokenize([question], stopwords="en", show_progress=False), k=len(cands), show_progress=False
    )
    return [cands[i] for i in docs[0]]


RANKINGS = {
    "attention alone": lambda cs: by_fuse(cs, use_lexical=False),
    "before: lexical alone": lambda cs: by_fuse(cs, "recorded_lexical", use_attention=False),
    "before: fused (k=60, 1:1)": lambda cs: weighted(cs, 1, 1, 60, "recorded_lexical"),
    "now: lexical alone": lambda cs: by_fuse(cs, use_attention=False),
    "now: fused (infini ask)": by_fuse,
    "fused, own words only": by_fuse,
    "BM25 (bm25s, no model)": by_bm25s,
}


# The rankings made of the passages' lexical match without their neighbours' words (evidence.CONTEXT 0).
OWN_WORDS = {"fused, own words only"}


def weighted(cands: list[dict], w_att: float, w_lex: float, k: int = 60, lexical: str = "lexical") -> list[dict]:
    """evidence.fuse with other weights and constant k (what its own were chosen among; before, k = 60
    and 1:1)."""
    scores = evidence.fuse(
        [c["attention"] for c in cands],
        [c[lexical] for c in cands],
        k=k,
        weights={"attention": w_att, "lexical": w_lex},
    )
    return evidence.once([c for _, c in sorted(zip(scores, cands), key=lambda p: -p[0])], lambda c: c["text"])


EXPLORE = {
    f"RRF 1:{w}, k={k}": (lambda cs, w=w, k=k: weighted(cs, 1, w, k)) for k in (60, 20, 5, 1) for w in (1, 2, 3, 5)
}
EXPLORE["lexical, then attention"] = lambda cs: sorted(cs, key=lambda c: (-c["lexical"], -c["attention"]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=ROOT / "samples/bench/evidence")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--show", action="store_true", help="Print each question's answer rank per ranking.")
    parser.add_argument("--explore", action="store_true", help="Add the weighted fusions tried.")
    parser.add_argument(
        "--answers",
        type=Path,
        help="Also write the model's answers from the chosen passages "
        "here (loads the model; a few seconds a question).",
    )
    args = parser.parse_args()
    records = {
        p.stem: json.loads(p.read_text())
        for p in sorted(args.dir.glob("*.json"))
        if p.name not in ("ranking.json", "answers.json")
    }
    sets = sorted({r["set"] for r in records.values()})
    rankings = RANKINGS | (EXPLORE if args.explore else {})
    table = {name: {s: [] for s in sets} for name in rankings}
    rules = answer_rules()
    for name_q, record in records.items():
        cands = everything(record, rules[name_q])
        alone = everything(record, rules[name_q], context=0.0)
        ranks = {}
        for name, rank in rankings.items():
            passages = alone if name in OWN_WORDS else cands
            order = rank(passages, record["question"]) if rank is by_bm25s else rank(passages)
            at = next((i for i, c in enumerate(order) if c["answer"]), None)
            ranks[name] = at
            if at is not None and at < TOP:
                table[name][record["set"]].append(name_q)
        if args.show:
            print(name_q, {n: r for n, r in ranks.items()}, record["question"])
    counts = {s: sum(r["set"] == s for r in records.values()) for s in sets}
    print(f"answer's line among the top {TOP}")
    print(f"{'ranking':32}" + "".join(f"{s:>12}" for s in sets) + f"{'all':>10}")
    for name, row in table.items():
        print(
            f"{name:32}"
            + "".join(f"{len(row[s]):>9}/{counts[s]:<2}" for s in sets)
            + f"{sum(map(len, row.values())):>7}/{len(records)}"
        )
    if args.json:
        args.json.write_text(json.dumps({"top": TOP, "questions": counts, "hits": table}, indent=1) + "\n")
    if args.answers:
        write_answers(records, rules, args.answers)


def write_answers(records: dict, rules: dict, out: Path) -> None:
    """The model's answer from the 3 passages `infini ask` now chooses, checked as `infini ask` checks it
    (tasks.ask.answer_from and held_up), for every recorded question: the rest of the command's work,
    without reading the input again. An answer is right when it holds every keyword."""
    from infinicli.evidence import DocumentWords
    from infinicli.session import Session
    from infinicli.tasks import ask, code

    session = Session.load()
    rows = {}
    for name, record in records.items():
        cands = everything(record, rules[name])
        top = by_fuse(cands)[:TOP]
        words = DocumentWords()
        for passages in input_passages(record["set"], record["input"], record["candidates"][0].get("path")):
            words.add_passages(passages)
        if record["set"] == "code":
            lines = code.evidence_lines(
                [{"path": c["path"], "line": c["line"], "text": c["text"][: code.QUOTE_CHARS]} for c in top]
            )
            max_tokens = 96
        else:
            lines = [c["text"] for c in sorted(top, key=lambda c: (c.get("page") or 0, c["line"]))]
            max_tokens = 64
        text = ask.answer_from(session.engine, session.tok, record["question"], lines, max_tokens)
        kept, source, dropped, _ = ask.held_up(words, text, "evidence", record["question"], lines, lines)
        rows[name] = {
            "question": record["question"],
            "answer": kept,
            "answered_from": source,
            "right": all(k.lower() in kept.lower() for k in record["keywords"]),
            "answer_line_cited": any(c["answer"] for c in top),
            "recorded_answer": record["answer"],
            "recorded_right": all(k.lower() in record["answer"].lower() for k in record["keywords"]),
            "dropped": dropped,
            "evidence": [{k: c.get(k) for k in ("text", "page", "path", "line")} for c in top],
        }
        print(f"{'RIGHT' if rows[name]['right'] else 'wrong'} {name}: {kept[:110]!r}", flush=True)
    right = sum(r["right"] for r in rows.values())
    before = sum(r["recorded_right"] for r in rows.values())
    print(f"answers right: {right}/{len(rows)} now, {before}/{len(rows)} as recorded (the ranking before)")
    out.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
