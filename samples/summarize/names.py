"""Which names a summary lists, replayed from the recorded readings of the summary bench's three books
(no model): how many of each book's characters (samples/books/cast.json) the names line holds, by the
rule summarize uses (names_line) and by its two parts alone.

    python samples/summarize/names.py [--replay samples/bench/summarize-quotes/recordings/fp16+int4]
        [--out samples/bench/summarize-names]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from infinicli.tasks import summarize as sm
from infinicli.tokens import Passage

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quotes import BOOKS, ROOT, load_recordings  # noqa: E402


def named(names: list[str], characters: list[list[str]]) -> int:
    """Characters of which the names hold a word (cast.json's rule: case-sensitive, whole word)."""
    text = " ".join(names)
    return sum(any(re.search(rf"\b{re.escape(w)}\b", text) for w in c) for c in characters)


def replayed(data: dict) -> sm.Sections:
    sections = sm.Sections({int(k): v for k, v in data["outline"].items()})
    for text, page, line, heading, strong, attention, tokens in data["sentences"]:
        sections._place(Passage(text, "replay", page, line, heading, strong), attention, tokens)
    sections.finish()
    return sections


def replay_arguments(doc: str) -> argparse.Namespace:
    """--replay (the recordings, fp16+int4's by default) and --out, for the scripts that replay them."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--replay", type=Path,
                        default=ROOT / "samples/bench/summarize-quotes/recordings/fp16+int4")
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def main() -> None:
    args = replay_arguments(__doc__)
    books = json.loads((ROOT / "samples/books/cast.json").read_text())["books"]
    cast = {Path(b["pdf"]).name: b["characters"] for b in books}
    rows = []
    for name, data in load_recordings(args.replay).items():
        sections = replayed(data)
        characters = cast[Path(BOOKS[name][0]).name]
        line, counted = sm.names_line(sections.done, sections.cast)
        rules = {"key sentences (recurring_names)": sm.recurring_names(sections.done),
                 "sentences (evidence.Cast)": [n for n, _, _ in sections.cast.names()][:8],
                 f"names_line (by {counted})": line}
        for rule, names in rules.items():
            rows.append({"book": name, "rule": rule, "named": named(names, characters),
                         "characters": len(characters), "names": names})
            print(f"{name:7} {rule:34} {named(names, characters):2}/{len(characters):<2} {', '.join(names)}")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "names.json").write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
