"""Who is in each chapter: the "Named here:" line under a section's title, replayed from the recorded
readings of the summary bench's books (no model). For every chapter of Alice and of Jekyll and Hyde,
the characters its facts file lists (samples/books/*.facts.json, "characters") that the section's
quotes name, and that its quotes and its "Named here:" line name together; and which listed names the
chapter's list lacks (they are still the section's: the line takes only names its sentences use).

    python samples/summarize/named_here.py [--replay samples/bench/summarize-quotes/recordings/layout-after]
        [--out samples/bench/summarize-names]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from infinicli.tasks import summarize as sm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from names import replay_arguments, replayed  # noqa: E402
from quotes import BOOKS, ROOT, load_recordings  # noqa: E402

TITLES = ("Mr.", "Dr.", "Mrs.", "Sir")


def words_of(character: str) -> list[str]:
    """The capitalised words a facts file's character is named by ("Bill the Lizard": Bill, Lizard;
    "Dinah (mentioned)": Dinah), titles left off; one with none ("a maid", "cook"), by its last word."""
    bare = re.sub(r"\s*\(.*\)", "", character)
    return [w for w in re.split(r"[\s,-]+", bare) if w[:1].isupper() and w not in TITLES] or bare.split()[-1:]


def names(character: str, text: str) -> bool:
    """Whether the text names the character: one of its words, whole, a capitalised one as written, a
    common noun in either case ("the maid", "The cook")."""
    return any(re.search(rf"\b{re.escape(w)}\b", text, 0 if w[:1].isupper() else re.I) for w in words_of(character))


def main() -> None:
    args = replay_arguments(__doc__)
    if args.replay == ROOT / "samples/bench/summarize-quotes/recordings/fp16+int4":  # names.py's default
        args.replay = ROOT / "samples/bench/summarize-quotes/recordings/layout-after"
    rows, totals = [], {"characters": 0, "quotes": 0, "with_line": 0, "listed": 0, "not_in_facts": 0}
    for book, data in load_recordings(args.replay).items():
        facts = json.loads((ROOT / BOOKS[book][1]).read_text())
        if not all("characters" in ch for ch in facts["chapters"]):
            continue  # the sample book's facts list no characters
        done = replayed(data).done
        front = {id(s) for s in sm.unquoted(done)}
        sections = [s for s in done if id(s) not in front]
        for ch in facts["chapters"]:
            a, b = ch["pages"]
            mine = [s for s in sections if a - 1 <= s.first.page <= b and s.last.page >= a]
            quoted = " ".join(c.quoted for s in mine for c in s.quotes)
            listed = list(dict.fromkeys(n for s in mine for n in s.who))
            row = {"book": book, "chapter": ch["chapter"], "characters": ch["characters"], "named_here": listed,
                   "quotes_name": [c for c in ch["characters"] if names(c, quoted)],
                   "with_line_name": [c for c in ch["characters"] if names(c, quoted + " " + " ".join(listed))],
                   "not_in_facts": [n for n in listed if not any(names(c, n) for c in ch["characters"])]}
            rows.append(row)
            counts = {"characters": row["characters"], "quotes": row["quotes_name"],
                      "with_line": row["with_line_name"], "listed": listed, "not_in_facts": row["not_in_facts"]}
            for k, v in counts.items():
                totals[k] += len(v)
            print(f"{book:7} {ch['chapter']:>2}: quotes {len(row['quotes_name'])}, with the line "
                  f"{len(row['with_line_name'])} of {len(ch['characters'])}; Named here: {', '.join(listed)}")
    print(f"characters named: quotes {totals['quotes']}/{totals['characters']}, quotes and the line "
          f"{totals['with_line']}/{totals['characters']}; names listed {totals['listed']}, "
          f"{totals['not_in_facts']} of them not in their chapter's list")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "named-here.json").write_text(json.dumps({"totals": totals, "chapters": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
