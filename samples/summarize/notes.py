"""Can the default model write a section's note, or tell a true one from a false one? Measured on the
key sentences of the summary bench's three books, replayed from their recorded readings (names.replayed;
the model is loaded, nothing is re-read).

    python samples/summarize/notes.py [--out samples/bench/summarize-notes]

prompts: for each way of asking, how many sections' notes pass the check summarize applies
(DocumentWords.check: names the document has, most content words from one line, not a copy of one).
judge: the model reads a section's key lines and is asked whether a statement is true; its margin
log P(yes) - log P(no) for a key line itself, for that line with its first two names swapped, and for a
line of another section. A judge fit to check notes would rate the line above the other two.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch

from infinicli.config import EngineConfig
from infinicli.evidence import name_runs
from infinicli.tasks import ask
from infinicli.tasks import summarize as sm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from names import replay_arguments, replayed  # noqa: E402
from quotes import load_recordings  # noqa: E402

PROMPTS = {  # name: (question, the lines it is asked of: all key lines, or each of the best three alone)
    "summarize's own (all key lines)": (sm.NOTE_QUESTION, "all"),
    "one short sentence in your own words (all key lines)":
        ("What happens in these lines? Answer in one short sentence of your own words.", "all"),
    "who does what (all key lines)": ("Who does what in these lines? Answer in one short sentence.", "all"),
    "a few simple words (each of the best three lines alone, the first kept)":
        ("Say what happens in this sentence in a few simple words.", "each"),
}
JUDGE = 'Is this true according to the text above: "{claim}" Answer yes or no.'


def summarized(data: dict) -> tuple[sm.Sections, list[sm.Section]]:
    """A replayed book and the sections its summary quotes (front matter and empty sections left out)."""
    sections = replayed(data)
    front = {id(s) for s in sm.unquoted(sections.done)}
    return sections, [s for s in sections.done if s.key and id(s) not in front]


def prompts(session, recorded: dict) -> list[dict]:
    rows = []
    for book, data in recorded.items():
        sections, usable = summarized(data)
        for label, (question, mode) in PROMPTS.items():
            t0, notes = time.perf_counter(), []
            for s in usable:
                lines = [c.passage.text for c in sorted(s.key, key=lambda c: (c.passage.page or 0, c.passage.line))]
                kept, raw = "", ""
                for source in ([[c.passage.text] for c in s.key[:3]] if mode == "each" else [lines]):
                    raw = ask.answer_from(session.engine, session.tok, question, source, sm.LENGTHS["medium"][0])
                    kept = sections.words.check(sm.note_text(raw), source, sm.NOTE_SUPPORT, sm.NOTE_WORDS,
                                                copies=False, whole=True, one_line=True).text
                    if kept:
                        break
                notes.append({"section": s.title, "written": raw, "kept": kept})
            n = sum(bool(x["kept"]) for x in notes)
            rows.append({"book": book, "prompt": label, "kept": n, "sections": len(notes),
                         "seconds": round(time.perf_counter() - t0, 1), "notes": notes})
            print(f"{book:7} {label:72} kept {n:2}/{len(notes)}", flush=True)
    return rows


def margin(session, lines: list[str], claim: str) -> float:
    engine, tok = session.engine, session.tok
    engine.set_probe(None)
    engine.reset(EngineConfig.for_method("full", segment=engine.config.segment))
    engine.read(tok.encode("".join(line + "\n" for line in lines)))
    logp = torch.log_softmax(engine.logits(ask.prompt_ids(tok, JUDGE.format(claim=claim)))[-1], -1)
    yes, no = ({tok.encode(w)[0] for w in (x, " " + x, x.lower())} for x in ("Yes", "No"))
    return float(torch.logsumexp(logp[list(yes)], 0) - torch.logsumexp(logp[list(no)], 0))


def judge(session, recorded: dict) -> dict:
    trials = []
    for book, data in recorded.items():
        _, usable = summarized(data)
        for k, s in enumerate(usable):
            lines = [c.passage.text for c in s.key]
            line = next((x for x in lines if len(name_runs(x)) >= 2), None)
            if line is None:
                continue
            a, b = name_runs(line)[:2]
            swapped = line.replace(a, "\0").replace(b, a).replace("\0", b)
            other = usable[(k + 1) % len(usable)].key[0].passage.text
            m = [round(margin(session, lines, claim), 3) for claim in (line, swapped, other)]
            trials.append({"book": book, "section": s.title, "line": line, "swapped": swapped, "other": other,
                           "margins": m})
    n = len(trials)
    out = {"trials": n, "line_above_swapped": sum(t["margins"][0] > t["margins"][1] for t in trials),
           "line_above_other": sum(t["margins"][0] > t["margins"][2] for t in trials),
           "mean_margins": [round(sum(t["margins"][i] for t in trials) / n, 3) for i in range(3)] if n else [],
           "detail": trials}
    print(f"judge: the line above its name-swapped copy {out['line_above_swapped']}/{n}, above another "
          f"section's line {out['line_above_other']}/{n}; mean margins (line, swapped, other) {out['mean_margins']}")
    return out


def main() -> None:
    from infinicli.session import Session

    args = replay_arguments(__doc__)
    session = Session.load()
    recorded = load_recordings(args.replay)
    result = {"prompts": prompts(session, recorded), "judge": judge(session, recorded)}
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "notes.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
