"""Turn a Project Gutenberg plain-text file into the sample's .txt (UTF-8, one paragraph per line).

Run once per book when its text is taken in (see README.md); the .txt files are committed, so
rebuilding the PDFs does not need this script or the Gutenberg files.

What is done, and nothing else:
- everything up to the "*** START OF ..." line and from the "*** END OF ..." line on is dropped
  (Project Gutenberg's header, licence and footer), as are "[Illustration]" markers and the
  "MILLENNIUM FULCRUM EDITION" line (a transcriber's edition mark, not part of the book);
- a chapter number alone on its line ("CHAPTER I.") is joined with the title line after it;
- prose paragraphs, hard-wrapped in the source, are unwrapped to one line each;
- blocks whose lines are indented (verse, the tail-shaped tale, the contents) keep their lines,
  the contents entries are written one per line indented by two spaces, and rows of asterisks
  become one row "*     *     *     *     *";
- the underscores that mark italics (_very_) are removed.
The words, spelling and punctuation (curly quotes, dashes) are left as they are.

    python samples/books/clean_text.py SOURCE.txt samples/books/SLUG.txt
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

STARS = "*     *     *     *     *"
DROP = re.compile(r"^\s*(\[Illustration\]|THE MILLENNIUM FULCRUM EDITION [\d.]+)\s*$")
CHAPTER_NUMBER = re.compile(r"^CHAPTER [IVXLC]+\.$")


def body_lines(raw: str) -> list[str]:
    lines = raw.replace("\r\n", "\n").replace("\ufeff", "").split("\n")
    start = next((i + 1 for i, l in enumerate(lines) if l.startswith("*** START OF")), 0)
    end = next((i for i, l in enumerate(lines) if l.startswith("*** END OF")), len(lines))
    return [l.rstrip() for l in lines[start:end] if not DROP.match(l)]


def blocks(lines: list[str]) -> list[list[str]]:
    out, cur = [], []
    for line in lines + [""]:
        if line.strip():
            cur.append(line)
        elif cur:
            out.append(cur)
            cur = []
    return out


def clean(raw: str) -> str:
    bs = blocks(body_lines(raw))
    paras: list[str] = []
    in_contents = False
    i = 0
    while i < len(bs):
        b = bs[i]
        i += 1
        if len(b) == 1 and b[0].strip() == "Contents":
            paras.append("Contents")
            entries = []
            # the contents entries: indented lines, in one block (Alice) or one block each (Jekyll)
            while i < len(bs) and all(l.startswith(" ") for l in bs[i]):
                entries += [" ".join(l.split()) for l in bs[i]]
                i += 1
            paras.append("\n".join("  " + e for e in entries))
            continue
        if all(set(l.strip()) <= {"*", " "} for l in b):
            paras.append(STARS)
            continue
        if len(b) == 2 and CHAPTER_NUMBER.match(b[0].strip()):
            paras.append(b[0].strip() + " " + b[1].strip())
            continue
        if any(l.startswith(" ") for l in b):
            paras.append("\n".join(b))  # verse or other set-out lines: kept line by line
            continue
        paras.append(" ".join(l.strip() for l in b))
    text = "\n\n".join(paras) + "\n"
    text = re.sub(r"_([^_]+)_", r"\1", text)
    text = re.sub(r"\n(\*     \*     \*     \*     \*\n\n)+\*     \*     \*     \*     \*\n", "\n" + STARS + "\n", text)
    assert "_" not in text, "an italic mark was left"
    assert "gutenberg" not in text.lower(), "Project Gutenberg text was left"
    return text


if __name__ == "__main__":
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    dst.write_text(clean(src.read_text(encoding="utf-8")), encoding="utf-8")
    print(dst, len(dst.read_text(encoding="utf-8").split()), "words")
