"""Which sentences should a summary quote? Record one reading of each book, then replay it through
every selection rule in seconds, without the model.

    python samples/summarize/quotes.py --record DIR     # reads the three books once (~6 min, 2 cores)
    python samples/summarize/quotes.py --replay DIR [--out samples/bench/summarize-quotes]

--record reads each book as `infini summarize` does (the generic probe, the default model) and writes
every sentence offered to its section, with the attention the probe gave it, into DIR/<book>.json.
--replay feeds those sentences, in order, to a fresh summarize.Sections per rule and counts the
chapters and facts (each book's facts.json, bench.coverage's keyword rule) that the QUOTED sentences of
each section name, and their words. The notes are not written, so this measures the quotes alone.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

from infinicli import bench
from infinicli.evidence import terms
from infinicli.sources import top_outline
from infinicli.tasks import summarize as sm
from infinicli.tokens import Passage

ROOT = Path(__file__).resolve().parents[2]
BOOKS = {
    "ledger": ("samples/book/the-lighthouse-keepers-ledger.pdf", "samples/book/facts.json"),
    "alice": ("samples/books/alices-adventures-in-wonderland.pdf",
              "samples/books/alices-adventures-in-wonderland.facts.json"),
    "jekyll": ("samples/books/dr-jekyll-and-mr-hyde.pdf", "samples/books/dr-jekyll-and-mr-hyde.facts.json"),
}


def record(out: Path, precision: str | None = None) -> None:
    from infinicli.session import Session

    out.mkdir(parents=True, exist_ok=True)
    session = Session.load(**({"precision": precision} if precision else {}))
    rows: list = []
    place = sm.Sections._place

    def recording(self, p, attention, tokens):
        rows.append([p.text, p.page, p.line, p.is_heading, p.strong_heading, attention, tokens])
        place(self, p, attention, tokens)

    sm.Sections._place = recording
    for name, (pdf, _) in BOOKS.items():
        rows.clear()
        summary = session.summarize(str(ROOT / pdf), notes=False)
        data = {"book": pdf, "outline": {str(k): v for k, v in top_outline(str(ROOT / pdf)).items()},
                "seconds": round(summary.seconds, 1), "sentences": rows}
        (out / f"{name}.json").write_text(json.dumps(data))
        print(f"{name}: {len(rows)} sentences, {summary.seconds:.0f} s", flush=True)


def distinct_sqrt(sections, weight=None):
    """The rule before: the sum of the words' weights over the square root of their number."""
    bags = [[set(terms(c.passage.text)) for c in cands] for cands in sections]
    sf = Counter(w for sec in bags for w in set().union(*sec)) if any(bags) else Counter()
    n = len(sections)
    return [[sum(math.log((1 + n) / sf[w]) for w in b) / math.sqrt(len(b) or 1) for b in sec] for sec in bags]


ALL = ("attention", "centrality", "distinct")
WHOLE = 10**6
# (label, signals, longest sentence in words, distinctiveness, (excerpt words, quotes, section words),
#  whether a sentence another section has with its own names is left out: summarize.TEMPLATES)
TWO = (WHOLE, 2, WHOLE)  # two whole sentences a section: the rule before excerpts
RULES = [
    ("attention + centrality (before)", ("attention", "centrality"), WHOLE, sm.distinctiveness, TWO, False),
    ("+ distinct, sum/sqrt, any length", ALL, WHOLE, distinct_sqrt, TWO, False),
    ("+ distinct, mean, any length", ALL, WHOLE, sm.distinctiveness, TWO, False),
    ("+ distinct, mean, <= 80 words", ALL, 80, sm.distinctiveness, TWO, False),
    ("+ distinct, mean, <= 60 words", ALL, 60, sm.distinctiveness, TWO, False),
    ("+ distinct, mean, <= 40 words", ALL, 40, sm.distinctiveness, TWO, False),
    ("attention + distinct, mean, any length", ("attention", "distinct"), WHOLE, sm.distinctiveness, TWO, False),
    ("attention alone", ("attention",), WHOLE, sm.distinctiveness, TWO, False),
    ("all three, 2 excerpts of <= 50 words", ALL, WHOLE, sm.distinctiveness, (50, 2, WHOLE), False),
    ("all three, 2 excerpts of <= 40 words", ALL, WHOLE, sm.distinctiveness, (40, 2, WHOLE), False),
    ("all three, 2 excerpts of <= 30 words", ALL, WHOLE, sm.distinctiveness, (30, 2, WHOLE), False),
    ("all three, 3 excerpts of <= 40 words", ALL, WHOLE, sm.distinctiveness, (40, 3, WHOLE), False),
    ("all three, excerpts of <= 40 words, up to 3 in 80 words", ALL, WHOLE, sm.distinctiveness, (40, 3, 80), False),
    ("all three, excerpts of <= 40 words, up to 3 in 100 words (before templates)", ALL, WHOLE,
     sm.distinctiveness, (40, 3, 100), False),
    ("all three, excerpts of <= 40 words, up to 5 in 100 words", ALL, WHOLE, sm.distinctiveness, (40, 5, 100), False),
    ("all three, excerpts of <= 30 words, up to 4 in 100 words", ALL, WHOLE, sm.distinctiveness, (30, 4, 100), False),
    ("all three, excerpts of <= 50 words, up to 3 in 100 words", ALL, WHOLE, sm.distinctiveness, (50, 3, 100), False),
    ("all three, excerpts of <= 40 words, up to 3 in 120 words", ALL, WHOLE, sm.distinctiveness, (40, 3, 120), False),
    ("all three, excerpts of <= 40 words, up to 3 in 100 words, no templates (now)", ALL, WHOLE,
     sm.distinctiveness, (40, 3, 100), True),
]


def replay(data: dict, signals, longest: int, distinct, quoting: tuple[int, int, int], templates: bool
           ) -> list[sm.Section]:
    """The sections and their key sentences as `infini summarize` would choose them under this rule;
    a sentence over `longest` words is left out wherever its section has a shorter one."""
    choose = sm.choose

    def shorter(cands, dist, k, sigs):
        keep = [i for i, c in enumerate(cands) if len(c.passage.text.split()) <= longest] or range(len(cands))
        return choose([cands[i] for i in keep], [dist[i] for i in keep], k, sigs)

    saved = sm.choose, sm.distinctiveness, sm.QUOTE_WORDS, sm.TEMPLATES
    sm.choose, sm.distinctiveness, sm.QUOTE_WORDS, sm.TEMPLATES = shorter, distinct, quoting[0], templates
    try:
        sections = sm.Sections({int(k): v for k, v in data["outline"].items()})
        for text, page, line, heading, strong, attention, tokens in data["sentences"]:
            sections._place(Passage(text, "book", page, line, heading, strong), attention, tokens)
        return sections.finish(signals)
    finally:
        sm.choose, sm.distinctiveness, sm.QUOTE_WORDS, sm.TEMPLATES = saved


def quoted(sections: list[sm.Section], quoting: tuple[int, int, int]) -> list[list[sm.Candidate]]:
    """Each section's quotes under this rule (Section.quotes with its limits)."""
    saved = sm.QUOTED, sm.SECTION_WORDS
    sm.QUOTED, sm.SECTION_WORDS = quoting[1:]
    try:
        return [s.quotes for s in sections]
    finally:
        sm.QUOTED, sm.SECTION_WORDS = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", type=Path, help="read the books and write their sentences here")
    parser.add_argument("--precision", help="--record with these weights (default: the commands' own)")
    parser.add_argument("--replay", type=Path, help="the directory --record wrote")
    parser.add_argument("--out", type=Path, help="write table.md and rows.json here")
    parser.add_argument("--show", help="print the quotes of this book under --rule")
    parser.add_argument("--rule", default=next(r[0] for r in RULES if "(now)" in r[0]),
                        help="the rule whose quotes --show prints")
    args = parser.parse_args()
    if args.record:
        record(args.record, args.precision)
    if not args.replay:
        return
    recorded = {name: json.loads((args.replay / f"{name}.json").read_text()) for name in BOOKS}
    facts = {name: json.loads((ROOT / f).read_text()) for name, (_, f) in BOOKS.items()}
    rows = []
    for label, signals, longest, distinct, quoting, templates in RULES:
        row = {"rule": label, "chapters": 0, "of": 0, "facts": 0, "facts_of": 0, "words": 0, "books": {}}
        for name, data in recorded.items():
            secs = replay(data, signals, longest, distinct, quoting, templates)
            front = {id(s) for s in sm.front_matter(secs)}  # the markdown quotes no title or contents page
            quotes = quoted(secs, quoting)
            text = "\n".join(c.shown for s, q in zip(secs, quotes) if id(s) not in front for c in q)
            cov = bench.coverage(text, facts[name])
            words = len(text.split())
            row["books"][name] = f"{cov['chapters_covered']}/{cov['chapters']}, {words} words"
            row["chapters"] += cov["chapters_covered"]
            row["of"] += cov["chapters"]
            row["facts"] += cov["facts_covered"]
            row["facts_of"] += cov["facts"]
            row["words"] += words
            if args.show == name and label == args.rule:
                for s, q in zip(secs, quotes):
                    print(f"## {s.title}")
                    for c in q:
                        print(f"> {c.shown} ({c.passage.cite()})")
        rows.append(row)
    head = "| rule | chapters | facts | quoted words | " + " | ".join(BOOKS) + " |"
    lines = [head, "|" + "---|" * (4 + len(BOOKS))]
    for r in rows:
        lines.append(f"| {r['rule']} | {r['chapters']}/{r['of']} | {r['facts']}/{r['facts_of']} | {r['words']:,} | "
                     + " | ".join(r["books"][b] for b in BOOKS) + " |")
    print("\n".join(lines))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "table.md").write_text("\n".join(lines) + "\n")
        (args.out / "rows.json").write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
