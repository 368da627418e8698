"""Which sentences should a summary quote? Record one reading of each book, then replay it through
every selection rule in seconds, without the model.

    python samples/summarize/quotes.py --record DIR [--precision P]   # reads the three books (~6 min)
    python samples/summarize/quotes.py --replay DIR [--against DIR2] [--noise 0.02] [--out DIR3]

Recordings are kept (gzipped) in samples/bench/summarize-quotes/recordings/, so the replay needs no
model: fp16 and fp16+int4 (the same reading, other last bits); layout-before and layout-after (a PDF's
page numbers and running heads read, then not); said (the newest: a sentence goes on past "!" or "?"
before a lower-case word, tokens.passage_bounds). Replay the newest to try a rule on today's passages:

    python samples/summarize/quotes.py --replay samples/bench/summarize-quotes/recordings/fp16 \
        --against samples/bench/summarize-quotes/recordings/fp16+int4 --noise 0.02 --seeds 10 \
        --out samples/bench/summarize-quotes                                     # ~6 min

--record reads each book as `infini summarize` does (the generic probe, the default model) and writes
every sentence offered to its section, with the attention the probe gave it, into DIR/<book>.json.
--replay feeds those sentences, in order, to a fresh summarize.Sections per rule and counts the
chapters and facts (each book's facts.json, bench.coverage's keyword rule) that the QUOTED sentences of
each section name, and their words. The notes are not written, so this measures the quotes alone.
--against replays a second recording and counts the sections whose quotes differ; --noise replays each
rule --seeds more times with the attention times 1 + NOISE * N(0, 1): how much a rule's quotes hang on
the reading's last bits.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

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


def load_recordings(d: Path) -> dict:
    """Each book's recorded reading in `d` (its file perhaps gzipped, as those committed in
    samples/bench/summarize-quotes/recordings)."""
    return {name: json.loads(gzip.decompress(p.read_bytes()) if (p := d / f"{name}.json.gz").exists()
                             else (d / f"{name}.json").read_text()) for name in BOOKS}


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
TEXT = ("centrality", "distinct")  # attention only chooses the candidates
WHOLE = 10**6
TWO = (WHOLE, 2, WHOLE)  # two whole sentences a section: the rule before excerpts
NOW = (40, 3, 100)  # excerpts of <= 40 words, up to 3 in 100 words a section


@dataclass(frozen=True)
class Rule:
    label: str
    signals: tuple[str, ...]
    longest: int = WHOLE  # a sentence over this many words is left out where its section has a shorter one
    distinct: Callable = sm.distinctiveness
    quoting: tuple[int, int, int] = NOW  # (excerpt words, quotes, section words)
    templates: bool = True  # summarize.TEMPLATES: a sentence another section has with its own names is left out
    candidates: int = 32  # summarize.CANDIDATES: a section's best by attention
    whole_section: bool = False  # summarize.WHOLE_SECTION: word statistics of whole sections, not candidates
    spread: int = 0  # summarize.SPREAD: the best of each of this many stretches of a section first


RULES = [
    Rule("attention + centrality (before)", ("attention", "centrality"), quoting=TWO, templates=False),
    Rule("+ distinct, sum/sqrt, any length", ALL, distinct=distinct_sqrt, quoting=TWO, templates=False),
    Rule("+ distinct, mean, any length", ALL, quoting=TWO, templates=False),
    Rule("+ distinct, mean, <= 80 words", ALL, 80, quoting=TWO, templates=False),
    Rule("+ distinct, mean, <= 60 words", ALL, 60, quoting=TWO, templates=False),
    Rule("+ distinct, mean, <= 40 words", ALL, 40, quoting=TWO, templates=False),
    Rule("attention + distinct, mean, any length", ("attention", "distinct"), quoting=TWO, templates=False),
    Rule("attention alone", ("attention",), quoting=TWO, templates=False),
    Rule("all three, 2 excerpts of <= 50 words", ALL, quoting=(50, 2, WHOLE), templates=False),
    Rule("all three, 2 excerpts of <= 40 words", ALL, quoting=(40, 2, WHOLE), templates=False),
    Rule("all three, 2 excerpts of <= 30 words", ALL, quoting=(30, 2, WHOLE), templates=False),
    Rule("all three, 3 excerpts of <= 40 words", ALL, quoting=(40, 3, WHOLE), templates=False),
    Rule("all three, excerpts of <= 40 words, up to 3 in 80 words", ALL, quoting=(40, 3, 80), templates=False),
    Rule("all three, excerpts of <= 40 words, up to 3 in 100 words (before templates)", ALL, templates=False),
    Rule("all three, excerpts of <= 40 words, up to 5 in 100 words", ALL, quoting=(40, 5, 100), templates=False),
    Rule("all three, excerpts of <= 30 words, up to 4 in 100 words", ALL, quoting=(30, 4, 100), templates=False),
    Rule("all three, excerpts of <= 50 words, up to 3 in 100 words", ALL, quoting=(50, 3, 100), templates=False),
    Rule("all three, excerpts of <= 40 words, up to 3 in 120 words", ALL, quoting=(40, 3, 120), templates=False),
    Rule("all three, excerpts of <= 40 words, up to 3 in 100 words, no templates (before the candidates' "
         "statistics changed)", ALL),
    Rule("the same, 48 candidates", ALL, candidates=48),
    Rule("the same, every sentence a candidate", ALL, candidates=WHOLE),
    Rule("the same, 48 candidates, whole sections' statistics", ALL, candidates=48, whole_section=True),
    Rule("attention chooses 32 candidates, centrality + distinct rank them", TEXT),
    Rule("attention chooses 48 candidates, centrality + distinct rank them", TEXT, candidates=48),
    Rule("centrality + distinct, every sentence a candidate (no attention)", TEXT, candidates=WHOLE),
    Rule("attention chooses 32, centrality + distinct rank them, whole sections' statistics", TEXT,
         whole_section=True),
    Rule("attention chooses 40, centrality + distinct rank them, whole sections' statistics", TEXT, candidates=40,
         whole_section=True),
    Rule("attention chooses 48, centrality + distinct rank them, whole sections' statistics", TEXT,
         candidates=48, whole_section=True),
    Rule("the same, the best of each half of a section first", TEXT, candidates=48, whole_section=True, spread=2),
    Rule("the same, the best of each third of a section first (now)", TEXT, candidates=48, whole_section=True,
         spread=3),
    Rule("the same, the best of each quarter of a section first", TEXT, candidates=48, whole_section=True, spread=4),
    Rule("the same, the best of each fifth of a section first", TEXT, candidates=48, whole_section=True, spread=5),
    Rule("centrality + distinct, whole sections' statistics, every sentence a candidate (no attention)", TEXT,
         candidates=WHOLE, whole_section=True),
]


def replay(data: dict, rule: Rule, noise: float = 0.0, seed: int = 0) -> list[sm.Section]:
    """The sections and their key sentences as `infini summarize` would choose them under this rule;
    a sentence over `rule.longest` words is left out wherever its section has a shorter one. With
    `noise`, each sentence's attention is first multiplied by 1 + noise * N(0, 1) (random.Random(seed),
    in reading order): a reading whose last bits differ."""
    choose = sm.choose

    def shorter(cands, dist, k, sigs, *rest):
        keep = [i for i, c in enumerate(cands) if len(c.passage.text.split()) <= rule.longest] or range(len(cands))
        return choose([cands[i] for i in keep], [dist[i] for i in keep], k, sigs,
                      *[[r[i] for i in keep] if isinstance(r, list) else r for r in rest])

    rnd = random.Random(seed)
    saved = sm.choose, sm.distinctiveness, sm.QUOTE_WORDS, sm.TEMPLATES, sm.CANDIDATES, sm.WHOLE_SECTION, sm.SPREAD
    (sm.choose, sm.distinctiveness, sm.QUOTE_WORDS, sm.TEMPLATES, sm.CANDIDATES, sm.WHOLE_SECTION,
     sm.SPREAD) = (shorter, rule.distinct, rule.quoting[0], rule.templates, rule.candidates, rule.whole_section,
                   rule.spread)
    try:
        sections = sm.Sections({int(k): v for k, v in data["outline"].items()})
        for text, page, line, heading, strong, attention, tokens in data["sentences"]:
            if noise:
                attention *= 1 + noise * rnd.gauss(0, 1)
            sections._place(Passage(text, "book", page, line, heading, strong), attention, tokens)
        return sections.finish(rule.signals)
    finally:
        sm.choose, sm.distinctiveness, sm.QUOTE_WORDS, sm.TEMPLATES, sm.CANDIDATES, sm.WHOLE_SECTION, sm.SPREAD = saved


def quoted(sections: list[sm.Section], quoting: tuple[int, int, int]) -> list[list[sm.Candidate]]:
    """Each section's quotes under this rule (Section.quotes with its limits)."""
    saved = sm.QUOTED, sm.SECTION_WORDS
    sm.QUOTED, sm.SECTION_WORDS = quoting[1:]
    try:
        return [s.quotes for s in sections]
    finally:
        sm.QUOTED, sm.SECTION_WORDS = saved


def measure(rule: Rule, recorded: dict, facts: dict, noise: float = 0.0, seed: int = 0) -> dict:
    """One rule on every book: chapters and facts the quotes name, their words, and each section's quotes."""
    row = {"rule": rule.label, "chapters": 0, "of": 0, "facts": 0, "facts_of": 0, "words": 0, "books": {}, "quotes": {}}
    for name, data in recorded.items():
        secs = replay(data, rule, noise, seed)
        front = {id(s) for s in sm.unquoted(secs)}  # the markdown quotes no title or contents page
        quotes = [(s, q) for s, q in zip(secs, quoted(secs, rule.quoting)) if id(s) not in front]
        text = "\n".join(c.shown for _, q in quotes for c in q)
        cov = bench.coverage(text, facts[name])
        words = len(text.split())
        row["books"][name] = f"{cov['chapters_covered']}/{cov['chapters']}, {words} words"
        row["quotes"][name] = [(s.title, [(c.shown, c.passage.cite()) for c in q]) for s, q in quotes]
        row["chapters"] += cov["chapters_covered"]
        row["of"] += cov["chapters"]
        row["facts"] += cov["facts_covered"]
        row["facts_of"] += cov["facts"]
        row["words"] += words
    return row


def moved(a: dict, b: dict) -> int:
    """Sections whose quotes differ between two measures of one rule."""
    return sum(x != y for name in a["quotes"] for x, y in zip(a["quotes"][name], b["quotes"][name]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", type=Path, help="read the books and write their sentences here")
    parser.add_argument("--precision", help="--record with these weights (default: the commands' own)")
    parser.add_argument("--replay", type=Path, help="the directory --record wrote")
    parser.add_argument("--against", type=Path, help="a second recording (other weights): which sections' "
                        "quotes move between the two, per rule")
    parser.add_argument("--noise", type=float, default=0.0,
                        help="replay each rule --seeds more times with the attention times 1 + NOISE * N(0, 1)")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--only", help="the rules whose label holds this text")
    parser.add_argument("--out", type=Path, help="write table.md and rows.json here")
    parser.add_argument("--show", help="print the quotes of this book under --rule")
    parser.add_argument("--rule", default=next(r.label for r in RULES if "(now)" in r.label),
                        help="the rule whose quotes --show prints")
    args = parser.parse_args()
    if args.record:
        record(args.record, args.precision)
    if not args.replay:
        return
    recorded = load_recordings(args.replay)
    other = load_recordings(args.against) if args.against else None
    facts = {name: json.loads((ROOT / f).read_text()) for name, (_, f) in BOOKS.items()}
    rows = []
    for rule in [r for r in RULES if args.only is None or args.only in r.label]:
        row = measure(rule, recorded, facts)
        if other is not None:
            there = measure(rule, other, facts)
            row["against"] = {"chapters": there["chapters"], "facts": there["facts"], "moved": moved(row, there)}
        if args.noise:
            runs = [measure(rule, recorded, facts, args.noise, seed) for seed in range(1, args.seeds + 1)]
            row["noise"] = {"sigma": args.noise, "seeds": args.seeds,
                            "chapters": [r["chapters"] for r in runs], "facts": [r["facts"] for r in runs],
                            "moved": [moved(row, r) for r in runs]}
        if args.show and row["rule"] == args.rule:
            for title, quotes in row["quotes"][args.show]:
                print(f"## {title}")
                for text, cite in quotes:
                    print(f"> {text} ({cite})")
        del row["quotes"]
        rows.append(row)
    head = "| rule | chapters | facts | quoted words | " + " | ".join(BOOKS) + " |"
    extra = (["with the other recording: chapters, facts, sections moved"] if other is not None else []) + \
        ([f"with noise {args.noise:g} ({args.seeds} seeds): chapters mean (min-max), facts mean, sections moved mean"]
         if args.noise else [])
    head += "".join(f" {e} |" for e in extra)
    lines = [head, "|" + "---|" * (4 + len(BOOKS) + len(extra))]
    for r in rows:
        line = (f"| {r['rule']} | {r['chapters']}/{r['of']} | {r['facts']}/{r['facts_of']} | {r['words']:,} | "
                + " | ".join(r["books"][b] for b in BOOKS) + " |")
        if "against" in r:
            a = r["against"]
            line += f" {a['chapters']}, {a['facts']}, {a['moved']} |"
        if "noise" in r:
            n = r["noise"]
            line += (f" {mean(n['chapters']):.1f} ({min(n['chapters'])}-{max(n['chapters'])}), "
                     f"{mean(n['facts']):.1f}, {mean(n['moved']):.1f} |")
        lines.append(line)
    print("\n".join(lines))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "table.md").write_text("\n".join(lines) + "\n")
        (args.out / "rows.json").write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
