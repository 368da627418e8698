"""Tokens that remember where they came from: each token id travels with the passage it belongs to.

A passage is what a reader can be shown and find again: a sentence of prose, or a line of code,
with its file, page (PDFs) and line. Chunks are tokenized one at a time with the model's own
tokenizer; its character offsets put every token in the passage where its last character lies.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from infinicli.sources import Chunk
from infinicli.tokenizer import Tokenizer

LONGEST_PASSAGE = 600  # characters: a run-on "sentence" (a table, a list) is cut at a line break past this

# A sentence ends at . ! ? (and any closing quotes or brackets) followed by white space; not after a
# title or an initial ("Mr. Hyde", "J. Smith"), which would cut a name in two.
_CLOSE = r"""[.!?]+["'\u201d\u2019)\]]*"""  # a sentence's last mark, and any closing quotes or brackets
_END = re.compile(_CLOSE + r"(?=\s)")
SENTENCE_END = re.compile(_CLOSE + "$")  # a text that ends as a sentence does
_NOT_AN_END = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Mt|Jr|Sr|Prof|Rev|Capt|Col|Gen|Lt|No|vs|etc|e\.g|i\.e|cf|Fig|Vol|ch|p|pp)|\b[A-Z])\.$")
# "Chapter One", "Book the First", "Stave Twenty-One": a number in words; "Chapter IV" in capitals. Any
# word at all made "section discusses these attributes." (a line of a real manual's prose) a heading,
# and a word of the letters of roman numerals in any case, "part civil war".
_ORDINAL = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
            r"(?:thir|four|fif|six|seven|eigh|nine)teenth|(?:twen|thir|for|fif)tieth|last|final)")
_NUMBER_WORD = (rf"(?:the\s+{_ORDINAL}|{_ORDINAL}|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                r"(?:thir|four|fif|six|seven|eigh|nine)teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
                r"hundred)(?:-[a-z]+)?)")
_HEADING = [
    re.compile(rf"^(?:chapter|book|part|stave|section|act|canto|letter)\s+(?:(?-i:[IVXLCDM]+)|\d+|{_NUMBER_WORD})\b"
               r"[^a-z]{0,3}.{0,70}$", re.IGNORECASE),
    re.compile(r"^#{1,6}\s+\S.{0,100}$"),  # markdown
    re.compile(r"^\d+(?:\.\d+){0,3}\.?\s+[A-Z][^.!?]{1,70}$"),  # "4.2 Title"
    re.compile(r"^[IVXLC]+\.?$"),  # a roman numeral alone on its line
    re.compile(r"^(?=.*[A-Z]{2})[^a-z]{3,60}$"),  # A TITLE IN CAPITALS
]


def heading(line: str) -> str | None:
    """The title when a line looks like a heading ("CHAPTER IV.", "Chapter 4: Title", "4.2 Title",
    "# Title", "STORY OF THE DOOR"), else None."""
    text = line.strip()
    if not text or len(text) > 100 or text.isdigit():
        return None
    matched = [p for p in _HEADING if p.match(text)]
    if matched:
        words = re.findall(r"[A-Za-z]+", text)
        capitals = matched == [_HEADING[-1]]  # in capitals, and no other sign of a heading
        if capitals and (not 1 <= len(words) <= 10 or 2 * sum(map(len, words)) < len("".join(text.split()))
                         or len(words) == 1 and len(words[0]) < 5):
            return None  # in capitals, but mostly not letters, a line of code ("15: </TABLE>>];"), or one short
            # word: a figure's label ("CPS", "DAG" in graphviz's manual), where a heading says "PREFACE"
        return text.lstrip("#").strip()
    return None


def strong_heading(line: str) -> bool:
    """A heading that names itself one ("Chapter 4", "# Title", "4.2 Title"), not only a line in
    capitals or a numeral, which may also be a song's chorus or a caption inside a chapter."""
    text = line.strip()
    return heading(text) is not None and any(p.match(text) for p in _HEADING[:3])


@dataclass(frozen=True, slots=True, eq=False)
class Passage:
    """A sentence (or a line of code) of the input and where a reader finds it."""

    text: str
    origin: str  # file path ("-" for stdin)
    page: int | None  # 1-based PDF page
    line: int  # 1-based line of the file (or of the PDF page) where it starts; below 1: a file header
    is_heading: bool = False
    strong_heading: bool = False  # a heading that names itself one (see strong_heading)

    def where(self) -> dict:
        """Its place as --json reports it: page and line for a PDF, line for text, path and line for code."""
        if self.page is not None:
            return {"page": self.page, "line": self.line}
        return {"path": self.origin, "line": self.line}

    def cite(self, with_path: bool = False) -> str:
        """Its place as a reader looks it up: "p. 12", "line 40", or "src/app.py:40"."""
        if self.page is not None:
            return f"p. {self.page}"
        return f"{self.origin}:{self.line}" if with_path else f"line {self.line}"


def _clean(text: str) -> str:
    """A passage's text as shown: words split at a line-end hyphen rejoined, white space collapsed."""
    text = re.sub(r"(?<=[a-z])-\n\s*(?=[a-z])", "", text)
    text = re.sub(r"^[\s*#=_~]+(?=\S)", "", text)  # a scene break's asterisks, a markdown heading's hashes
    return " ".join(text.split())


# Under a heading that names itself one (strong_heading), up to this many short lines without a
# sentence's end stand alone too: a chapter's title and its dateline ("CHAPTER FIVE" / "The
# Glassblower's Daughter" / "Vennick, 1880"), which ran on into the first sentence and so into its quotes
# ("The Glassblower's Daughter Vennick, 1880 Vennick was a canal town ...") and into the names a summary
# lists ("Corran Head Corran Head").
SUBTITLE_LINES = 2


def title_line(line: str) -> bool:
    """A short line in title case with no sentence's end: "Down the Rabbit-Hole", "Vennick, 1880" (not a
    narrow column's first line of prose, "Alice was beginning to get very tired")."""
    text = line.strip()
    words = text.split()
    return (0 < len(words) <= 8 and len(text) <= 70 and text[-1] not in ".!?:;,"
            and 2 * sum(w[:1].isupper() or w[:1].isdigit() for w in words) >= len(words))


# On a typeset page, every line of a paragraph but its last runs to about the width of the text; a
# line that stops short of SHORT_LINE times that width (Chunk.width: a PDF's) and ends no sentence is no
# wrapped prose: a table's row, a line of code, a list item, a label ("Tip", "Warning"), or the last
# line of a sentence that runs on into one of those. It ends its passage, which does not run on into
# the next line: Debian Reference's quotes had
# "… key key binding F1 help menu F3 internal file viewer F4 internal editor …" (a table of 11 rows as
# one "sentence") and "Package: * Pin: release a=testing Pin-Priority: 1010 Run ”apt-get update;
# apt-get dist-upgrade” to force ...".
# A short line that ends a clause (a comma, a semicolon, a colon, a dash) is a verse of a poem, a line of
# dialogue or the words that lead into a list: it goes on into the next line as before. Alice's songs
# were cut into lines, and "Beautiful, beautiful Soup!", chapter X's fact, was too short to quote.
SHORT_LINE = 0.7
_CLAUSE_END = re.compile(r"(?:[,;:]|--|[\u2013\u2014-])[\"'\u201d\u2019)\]]*$")


def passage_bounds(text: str, by: str, width: int | None = None) -> list[int]:
    """Character offsets where passages start (the first is 0): each line (by="line"), or each
    sentence, paragraph and heading (by="sentence"). `width`: the text is typeset in lines of about
    this many characters, and a short line that ends no sentence ends its passage (SHORT_LINE)."""
    starts = [0]
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    if by == "line":
        return [s for s in line_starts if s < len(text)] or [0]
    cuts, headings = set(), []
    after = 0  # short lines still allowed to stand alone under the last heading
    for n, s in enumerate(line_starts):
        end = line_starts[n + 1] if n + 1 < len(line_starts) else len(text)
        line = text[s:end]
        titled = heading(line) is not None
        under = after > 0 and title_line(line)
        short = (width is not None and len(line.strip()) < SHORT_LINE * width
                 and not SENTENCE_END.search(line.rstrip()) and not _CLAUSE_END.search(line.rstrip()))
        if short:  # the line before it may be prose that runs on into it: only what follows is cut off
            cuts.add(end)
        if not line.strip() or titled or under:  # a blank line or a heading stands alone
            cuts.add(s)
            cuts.add(end)
            headings.append((s, end))
        after = SUBTITLE_LINES if titled and strong_heading(line) else after - 1 if under else 0
    for m in _END.finditer(text):
        inside = headings and any(a <= m.start() < b for a, b in headings)  # "CHAPTER II. The Fair"
        if not inside and not _NOT_AN_END.search(text[max(0, m.start() - 6): m.start() + 1]):
            cut = m.end()
            while cut < len(text) and text[cut] in " \t\n":
                cut += 1
            if m.group()[-1] in "!?" and text[cut: cut + 1].islower():
                # An exclamation or a question that the sentence goes on past, inside a quotation or out:
                # '"Oh! the Duchess, the Duchess!', '"Wow! wow! wow!"', '"Ah! that accounts for it," said
                # the Hatter.' Alice's summary had quoted '..., muttering to himself as he came, "Oh!' and
                # one line from "that accounts for it,". Where a quotation closes at the mark ('"What
                # became of the baby?" said the Cat.'), the speaker's tag stands apart as before.
                continue
            cuts.add(cut)
    starts = sorted(c for c in cuts | {0} if c < len(text))
    # cut run-ons at the first line break past LONGEST_PASSAGE characters
    out = []
    for n, s in enumerate(starts):
        out.append(s)
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        at = s
        while end - at > LONGEST_PASSAGE:
            br = text.find("\n", at + LONGEST_PASSAGE, end)
            if br < 0:
                break
            at = br + 1
            out.append(at)
    return out


def passages_of(chunk: Chunk, by: str) -> tuple[list[int], list[Passage]]:
    """A chunk's passages and the character offset where each starts."""
    text = chunk.text
    starts = passage_bounds(text, by, chunk.width)
    newlines = [m.start() for m in re.finditer("\n", text)]
    out = []
    for n, s in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        raw = text[s:end]
        lead = len(raw) - len(raw.lstrip())  # a passage is found on the line of its first character
        line = chunk.line + bisect.bisect_left(newlines, s + lead)
        is_heading = by == "sentence" and heading(raw) is not None
        out.append(Passage(_clean(raw), chunk.origin, chunk.page, line, is_heading,
                           is_heading and strong_heading(raw)))
    return starts, out


def token_stream(tok: Tokenizer, chunks: Iterable[Chunk], by: str = "sentence") -> Iterator[tuple[int, Passage]]:
    """(token id, its passage) for every token of a chunk stream, in order. A sentence that a PDF's page
    breaks is one passage, cited on the page where it starts: the tokens of a page's last sentence wait
    (a sentence's worth) for the next page, whose first sentence finishes it (runs_on)."""
    held: list[tuple[int, Passage]] = []
    for chunk in chunks:
        if not chunk.text:
            continue
        ids, offsets = tok.encode_with_offsets(chunk.text)
        starts, passages = passages_of(chunk, by)
        pairs = [(tid, passages[max(0, bisect.bisect_right(starts, max(a, b - 1)) - 1)])  # by its last
                 for tid, (a, b) in zip(ids, offsets)]  # character: " The" opens a sentence
        if held:
            first = next((n for n, (_, p) in enumerate(pairs) if p.text), None)
            tail = held[-1][1]
            if first is not None and not pairs[first][1].is_heading:
                whole = Passage(f"{tail.text} {pairs[first][1].text}", tail.origin, tail.page, tail.line)
                cont = pairs[first][1]
                yield from ((t, whole) for t, _ in held)
                pairs = [(t, whole if n <= first or p is cont else p) for n, (t, p) in enumerate(pairs)]
            else:
                yield from held
            held = []
        if pairs and by == "sentence" and runs_on(chunk, pairs[-1][1]):
            tail = pairs[-1][1]
            n = next((n for n in range(len(pairs), 0, -1) if pairs[n - 1][1] is not tail), 0)
            held, pairs = pairs[n:], pairs[:n]
        yield from pairs
    yield from held


def runs_on(chunk: Chunk, last: Passage) -> bool:
    """Whether a typeset page's last passage is a sentence that goes on on the next page: it ends no
    sentence, is no heading, and the page's last line runs to the full width (not a table's row)."""
    if chunk.width is None or last.is_heading or not last.text or SENTENCE_END.search(last.text):
        return False
    return len(chunk.text.rstrip().rsplit("\n", 1)[-1].strip()) >= SHORT_LINE * chunk.width
