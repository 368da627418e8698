"""Summaries a reader can trust: the document speaks, the model points.

The document streams through the engine once, probed after every segment with a generic question
(GENERIC): the retrieval heads' attention rates every sentence as it passes. Sections come from the
PDF's outline, else from headings found in the text, else from fixed stretches. Each section keeps
only its best-rated sentences (a bounded heap) and those that name the most; after reading, the few it
quotes are picked from those by their words alone: how central each is to its section fused with how
particular its words are to it (see choose). Then the model writes a one- or two-sentence note per section
from its key sentences alone (exact attention, no repeated 3-grams), and a short summary of the whole
from the notes. Every generated sentence that names what the document never contains, or that its
lines do not support, or that splices two of them, is dropped and counted; a note that only copies
one of its key lines is dropped too, and that line, which the model pointed at, is quoted first.

Baselines for the bench, on the same model: `first` (only the first native window), `last` (only the
last window), `mapreduce` (summarise every window-sized chunk, then summarise the summaries).
"""

from __future__ import annotations

import heapq
import itertools
import math
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from infinicli import reading, snapshot
from infinicli.config import EngineConfig, SegmentStats
from infinicli.engine import InfiniModel, batched, peak_rss_mb
from infinicli.errors import InfiniError
from infinicli.evidence import Cast, DocumentWords, PassageScores, document_order, name_runs, terms
from infinicli.sources import by_first_page, open_source, outline_entries
from infinicli.tasks import ask
from infinicli.tokenizer import Tokenizer
from infinicli.tokens import LONGEST_PASSAGE, SENTENCE_END, Passage, title_line, token_stream

STRATEGIES = ("infini", "first", "last", "mapreduce")
# (note tokens, summary tokens) per --length
LENGTHS = {"short": (40, 80), "medium": (56, 120), "long": (80, 200)}
GENERIC = "What happens here?"  # the probe when no question is asked: it rates sentences for every section
NO_REPEAT = 3
# What picks a section's key sentences (see choose), measured by replaying one recorded reading of three
# books (the sample book, Alice, Jekyll and Hyde) through each rule: `python samples/summarize/quotes.py`,
# samples/bench/summarize-quotes/. Chapters (of 34) whose facts the quotes named: attention alone 20,
# attention + centrality 28, adding how particular a sentence's words are to its section 31-32.
# The attention decides which sentences are candidates (a section's CANDIDATES best); which of those are
# quoted is decided by their words alone: how central a sentence is to its section and how particular
# its words are to it, both counted over every sentence of every section (WHOLE_SECTION), not over the
# candidates. Ranking by attention as well, or counting the candidates' words only, moved the quotes
# whenever the reading's last bits moved: fp16's reading against fp16+int4's moved 6 sections of 38
# and cost 2 chapters; this rule moves 3 and covers the same 32 chapters with either. With 2 % noise
# on the recorded attention it moves 1.8 sections on average and covers 32.0 chapters (the rule before:
# 13.2 and 30.3), in 2,156 quoted words (2,623).
SIGNALS = ("centrality", "distinct")
CANDIDATES = 48  # best-rated sentences a section holds while it is read
WHOLE_SECTION = True
# A section's best sentence in each of its SPREAD equal stretches comes first (spread): its quotes tell its
# beginning, middle and end, not three moments of one scene. On the three books' recorded readings
# (samples/bench/summarize-quotes/) the quotes named 67 of 141 facts against 60 ranked alone, chapters 32/34
# either way, and under 2 % noise on the attention 0.8 sections' quotes moved against 1.8 (halves: 60 facts,
# 31 chapters; quarters: 65, 33).
SPREAD = 3
CONTEXT = 5  # sentences a section's note is written from
# Quotes: a sentence over QUOTE_WORDS words shows only its clauses with the words most particular to its
# section (excerpt); a section quotes its best sentences, up to QUOTED, while they fit in SECTION_WORDS
# (the first always). Measured by the same replay: whole sentences, 2 a section, 31 chapters of 34 and
# 55 of 141 facts in 2,941 quoted words; excerpts of <= 40 words, up to 3 in 100 words, 32 chapters and
# 61 facts in 2,561 words (Alice's 12 chapters in 922 words, against 1,379).
QUOTED = 3
QUOTE_WORDS = 40
SECTION_WORDS = 100
MIN_SECTION = 150  # tokens: a shorter "section" (a contents page, a title) takes the next heading's name
LONGEST_SECTION = 8192  # tokens: a longer stretch without a heading is cut into parts
# Under each section's title, the document's often-used names (Cast's) that its sentences use most: who
# is in a chapter, in the document's own words (the model, asked, named no one). Replayed on the summary
# bench's recordings (samples/summarize/named_here.py, samples/bench/summarize-names): of the 97
# characters the facts files list for Alice's 12 chapters and Jekyll's 10, the quotes name 38 and the
# quotes with this line 74 (WHO 4, in WHO_LEAST 3 sentences or more; 3 names: 67; 5: 77, with 15 names
# the chapters' lists lack against 10; at least 2 sentences: 16 such names for the same 74); the sample
# book's 12 stories get each its lead and its place ("Marta, Corran Head"). NAMES_HELD bounds what a
# closed section keeps counted.
NAMED_HERE = "Named here: "
# A section cut into parts by length (LONGEST_SECTION) under one long outline entry lists the entries one
# level down that start in each part: gnuplot's manual has six top-level parts, and its summary's
# sections were "III Commands (part 1)" to "(part 9)", where the outline's next level names each command.
COVERS = "Covers: "
COVERS_SHOWN = 12
WHO = 4
WHO_LEAST = 3
NAMES_HELD = 32

# Measured: the default model's notes from a section's key lines mostly restate them wrongly ("The
# Corran Head was closed to the public", of a light that was kept open) or drift ("a classic example
# of a magical realism"); a note keeps only sentences most of whose content words one line holds
# (DocumentWords.check's one_line: of 8 notes kept on the three books of the summary bench when all
# the lines together counted, the 4 that drew on several lines were wrong or garbled).
NOTE_SUPPORT = 0.75
NOTE_WORDS = 6  # a shorter "sentence" is a fragment ("Felix's Levels"), not a note
NOTE_QUESTION = "What happens in these lines? Answer in one or two sentences."
SUMMARY_QUESTION = "What is this text about? Answer in two or three sentences."
CHUNK_PROMPT = "Summarize the text above. Name the people, places and events it mentions."
FINAL_PROMPT = ("Here are notes on a long text, in reading order:\n\n{notes}\n\nWrite a {length} "
                "summary of the whole text. Name the main people, places and events.")


def _bullets(notes: Iterable[str]) -> str:
    return "\n".join(f"- {n}" for n in notes)


@dataclass(slots=True)
class Candidate:
    passage: Passage
    attention: float
    score: float = 0.0
    at: int = 0  # tokens of its section before it: where in the section it stands
    shown: str = ""  # what a quote shows: the sentence, or its clauses that matter (excerpt)

    @property
    def quoted(self) -> str:
        return self.shown or self.passage.text

    @property
    def display(self) -> str:
        """What a reader sees: the quoted text, opened with an ellipsis where it starts mid-sentence (a
        lower-case first letter: the sentence splitter cut after a quotation's "?" or "!", as in
        'said the King triumphantly, pointing to the tarts')."""
        text = self.quoted
        return f"{ELLIPSIS} {text}" if text[:1].islower() else text

    def as_dict(self) -> dict:
        out = {"text": self.display, **self.passage.where(), "score": round(self.score, 5)}
        if self.quoted != self.passage.text:
            out["sentence"] = self.passage.text
        return out


@dataclass(slots=True)
class Section:
    """One section of the document: where it lies, its best sentences, and what was written of it."""

    title: str
    first: Passage
    last: Passage
    tokens: int = 0
    named: bool = True  # titled by the outline or a heading, not a stretch of pages
    heap: list = field(default_factory=list)  # (attention, n, Candidate), at most CANDIDATES
    named_heap: list = field(default_factory=list)  # (names, n, Candidate): those naming the most
    bag: Counter = field(default_factory=Counter)  # its terms' counts; once closed, of its candidates' terms only
    key: list[Candidate] = field(default_factory=list)  # chosen when the section closes, best first
    note: str = ""
    dropped: list[dict] = field(default_factory=list)
    rewritten: list[dict] = field(default_factory=list)  # note sentences whose miscopied names were respelt
    names: Counter = field(default_factory=Counter)  # the names its prose uses, each sentence once (name_runs)
    who: list[str] = field(default_factory=list)  # the document's names it uses most (named_here)
    covers: list[str] = field(default_factory=list)  # the outline's titles one level down that start in it

    @property
    def base_title(self) -> str:
        """Its title without " (part N)", where it is a part cut by length (Sections._part)."""
        return self.title.split(" (part")[0]

    def span(self) -> dict:
        if self.first.page is not None:
            return {"pages": [self.first.page, self.last.page]}
        return {"lines": [max(self.first.line, 1), self.last.line]}

    def where(self) -> str:
        if self.first.page is not None:
            a, b = self.first.page, self.last.page
            return f"p. {a}" if a == b else f"pp. {a}\u2013{b}"
        return f"lines {max(self.first.line, 1)}\u2013{self.last.line}"

    def point(self, lines: list[str]) -> None:
        """The model copied these key lines as its note: it points at them, so they are quoted first."""
        for text in reversed(lines):
            c = next((c for c in self.key if c.passage.text == text), None)
            if c is not None:
                self.key.remove(c)
                self.key.insert(0, c)

    @property
    def quotes(self) -> list[Candidate]:
        """The key sentences quoted, best first: up to QUOTED while their words fit in SECTION_WORDS."""
        out, words = [], 0
        for c in self.key[:QUOTED]:
            n = len(c.quoted.split())
            if out and words + n > SECTION_WORDS:
                break
            out.append(c)
            words += n
        return out

    @property
    def quotes_shown(self) -> list[Candidate]:
        """The quotes as a reader gets them (markdown and --json): chosen by rank, in the document's order."""
        return document_order(self.quotes)

    def as_dict(self) -> dict:
        return {"title": self.title, **self.span(), "tokens": self.tokens, "names": self.who, "covers": self.covers,
                "note": self.note,
                "quotes": [c.as_dict() for c in self.quotes_shown], "dropped": len(self.dropped),
                "dropped_sentences": self.dropped, "rewritten": self.rewritten}


def centrality(cands: list[Candidate]) -> list[float]:
    """Each sentence's summed cosine similarity (tf-idf over these sentences) to the others: LexRank's
    degree centrality, on a bounded set."""
    bags = [Counter(terms(c.passage.text)) for c in cands]
    df = Counter(w for b in bags for w in b)
    n = len(bags)
    vecs = []
    for b in bags:
        v = {w: tf * math.log((1 + n) / (1 + df[w])) for w, tf in b.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({w: x / norm for w, x in v.items()})
    return [sum(sum(x * v2.get(w, 0.0) for w, x in v1.items()) for j, v2 in enumerate(vecs) if j != i)
            for i, v1 in enumerate(vecs)]


def section_weights(sf: Counter, n: int) -> Callable[[str], float]:
    """How particular a word is to a section, from every sentence of each of the n sections (not only
    their candidates): log((1 + n) / sections that use it), sf counting those sections."""
    return lambda w: math.log((1 + n) / sf[w]) if sf[w] else 0.0


def centroid_similarity(cands: list[Candidate], bag: Counter, weight: Callable[[str], float]) -> list[float]:
    """How much of what its section is about each sentence says (the centroid of MEAD, Radev et al.
    2004): the dot product of its words with the rest of the section's (its own counts taken out of
    the section's), words weighted by how particular they are to a section, over the length of its own
    vector. That is its cosine similarity to the section times the section's length, the same for
    every sentence of it, so `bag` need only hold the counts of the words the candidates use. It
    depends on the sentence and its section, not on which other sentences are candidates."""
    out = []
    for c in cands:
        mine = Counter(terms(c.passage.text))
        v = {w: tf * weight(w) for w, tf in mine.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out.append(sum(x * (bag[w] - mine[w]) * weight(w) for w, x in v.items() if bag[w] > mine[w]) / norm)
    return out


PROSE = 0.75  # a quotable sentence has more than this share of words of prose (prose_share)
_PROSE_WORD = re.compile(r"[\"'“‘(\[]*[^\W\d_]+(?:(?:['’-]|--|–|—)[^\W\d_]+)*[.,;:!?)\]\"'”’]*")


def prose_share(text: str) -> float:
    """The share of a sentence's words that are words of prose: letters, perhaps joined by an apostrophe,
    a hyphen or a dash, between quotation marks, brackets and punctuation. Code, tables, URLs and index
    entries are mostly other things: on a real manual (R Data Import/Export) the summary quoted
    'n=1e6) # 0.93s xc <- scan("ints.dat", ...' and an index line '8, 27, 32 read.xls .'."""
    words = text.split()
    return sum(bool(_PROSE_WORD.fullmatch(w)) for w in words) / (len(words) or 1)


_CLAUSE_MARK = re.compile(r"[.!?;:]+[\"'\u201d\u2019)\]]*$")  # the end of a sentence, or of a clause a page cut
_YEAR = r"\(?(?:1[6-9]|20)\d\d[a-z]?\)?"
# An entry of a list of references: "SMC-11(2):109–125" (volume, issue, pages), or authors by their
# initials and a year: "J. M. Chambers (1998) Programming with Data.", "Chambers, J. M. (1998) ..."
_CITATION = re.compile(rf"\b\d+\s?\(\d+\)\s?:\s?\d+"
                       rf"|^(?:[A-Z]\.\s?)+[A-Z][\w'\u2019-]+(?:,| and| &|\s\().{{0,120}}{_YEAR}"
                       rf"|^[A-Z][\w'\u2019-]+,\s(?:[A-Z]\.\s?)+.{{0,120}}{_YEAR}")
# A caption: "Table 2.18: List of notable Pin-Priority values for apt-pinning technique." (Debian Reference)
_CAPTION = re.compile(r"^(?:Table|Figure|Fig\.|Listing|Example)\s+[\dA-Z]+(?:[.-]\d+)*\s*[:.](?:\s|$)")
# The notice of a document's licence: "Permission is granted to make and distribute verbatim copies of
# this manual provided ..." (the R manuals' second page, what R Data Import/Export's summary quoted first)
_NOTICE = re.compile(r"permission is granted|permission to (?:use|copy|modify|distribute|redistribute)\b|"
                     r"all rights reserved|without (?:any )?warranty|general public license|"
                     r"free software foundation|\bcopyright (?:\(c\)|\u00a9|\d{4})|creative commons|permission notice",
                     re.IGNORECASE)

# A sentence that sends the reader elsewhere: "See set cntrparam (p. 138).", "Please refer to their
# documentation on multibyte text." Not "See how eagerly the lobsters and the turtles all advance!" (Alice).
_POINTER = re.compile(r"\(?(?:please\s+)?(?:see|refer to)\b(?!\s+(?:how|what|that|if|whether|why|who|where|when)\b)",
                      re.IGNORECASE)


def quotable(p: Passage) -> bool:
    """A sentence worth quoting: five words or more that end as a sentence or a clause does, not a
    heading, not a line of a contents page or an index ("The Return to Corran Head 112", "Importing from
    other statistical systems ." where dot leaders went before a page number, "62 2.18 List of notable
    Pin-Priority values" where the page number came first), mostly words of prose (prose_share). Words
    that end nothing are a title ("Alice's Adventures in Wonderland by Lewis Carroll Contents"), the
    labels of a figure ("Software Technology Configuration Mgt Architecture & Libraries Process IMX
    TTU", graphviz's dotguide), a table's row ("firejail V:1, I:5 1771 a SUID security sandbox program
    firejail for use with AppImage", Debian Reference, once tokens.SHORT_LINE stood it alone) or a
    sentence cut at the end of a page; on the summary bench's three books the rule quotes the same
    sentences as without it (samples/summarize/quotes.py). Nor is an entry of a list of references
    (_CITATION): dotguide's "7 Acknowledgments" quoted "IEEE Transactions on Systems, Man, and
    Cybernetics, SMC-7(7):505–523, July 1977." (of the sentences otherwise quotable in four Debian
    PDFs, dotguide, R-data, R-intro and Debian Reference, 14 are such, each an entry of a reference
    list; of the three books' sentences, none), nor a caption that ends as a sentence does (_CAPTION: 2
    of Debian Reference's, one of them quoted), nor the notice of the document's licence (_NOTICE: 3
    sentences of each of three R manuals, 1 of Debian Reference, none of dotguide's nor the books'; the
    X11 licences' "Permission to use, copy, modify ...": 2 of gnuplot's, whose first section quoted one), nor
    a line that starts with a section's number, "3.1 EpiInfo, Minitab, S-PLUS, SAS, SPSS, Stata, Systat."
    (a contents page's entry, quoted once the licence's notice was not) or "2.7.11 Who uploaded the
    package?" (a heading that ends as a sentence does): 3 of R-data's, 3 of R-intro's, 2 of Debian
    Reference's. Nor a sentence that only sends the reader elsewhere (_POINTER): gnuplot's summary quoted
    "Please see pseudocolumns (p. 117)."; 304 of its 5,899 otherwise quotable sentences start so, 48 of
    Debian Reference's 2,715, 1-2 of dotguide's, R-data's and Asymptote's, none of the three books'."""
    text = p.text
    return (len(text.split()) >= 5 and not p.is_heading and _CLAUSE_MARK.search(text) is not None
            and not _CITATION.search(text) and not _CAPTION.match(text) and not _NOTICE.search(text)
            and not _POINTER.match(text)
            and not re.match(r"\d+(?:\.\d+)+\s+[A-Z]", text)
            and not re.search(r"\s(\d+|\.)$", text) and not re.match(r"\d+\s+\d+(?:\.\d+)+\s", text)
            and prose_share(text) > PROSE)


def note_text(raw: str) -> str:
    """The model's note without the answer boilerplate it starts with ("The answer is:") and without the
    quotation marks it may then put around the whole of it (`The answer is "The rabbit-hole went down."`
    was a note on Alice's first chapter), also where a quotation mark comes before the lead-in."""
    text = raw.strip()
    bare = text.lstrip("\"\u201c")  # '"The answer is "..."' (the sample book's chapter 3) opens a quote first
    stripped = ask.without_lead_in(bare)
    text = (stripped if stripped != bare else ask.without_lead_in(text)).strip()
    if len(text) > 2 and text[0] in "\"\u201c" and text.rstrip(".")[-1:] in "\"\u201d":
        inner = text[1:].rstrip(".").rstrip("\"\u201d")
        if not any(q in inner for q in "\"\u201c\u201d"):  # one quotation, not two
            text = inner.strip()
    return text


def names(text: str) -> float:
    """Capitalised words past a sentence's first, per word: how much a sentence names people and places."""
    words = text.split()
    return sum(w[:1].isupper() for w in words[1:]) / math.sqrt(len(words) or 1)


def word_weights(sections: list[list[Candidate]]) -> Callable[[str], float]:
    """How particular a word (evidence.terms) is to a section, counted over these candidates only
    (section_weights' formula)."""
    sf = Counter(w for sec in sections for w in set().union(*(terms(c.passage.text) for c in sec)))
    return section_weights(sf, len(sections))


def distinctiveness(sections: list[list[Candidate]], weight: Callable[[str], float] | None = None
                    ) -> list[list[float]]:
    """Each sentence's weight of words particular to its section: the mean over its words of
    log(S / sections whose sentences use the word). A sentence every chapter could have ("She thought
    about the people who would one day read it") scores low; the mean, not the sum, so that a long
    sentence does not win by its length (the sum over the square root of the count picked quotes of
    3,468 words for the three books, the mean 2,941, covering 32 and 31 chapters of 34)."""
    weight = weight or word_weights(sections)  # word_weights(sections), when the caller has it
    return [[sum(map(weight, b)) / (len(b) or 1) for b in (set(terms(c.passage.text)) for c in sec)]
            for sec in sections]


_CLAUSE_END = re.compile(r"(?<=[,;:])\s+|\s*(?:--|\u2014)\s*")
ELLIPSIS = "\u2026"


def excerpt(text: str, weight: Callable[[str], float], budget: int) -> str:
    """`text` itself when it has at most `budget` words, else the run of its clauses (cut at , ; : and
    dashes) of at most `budget` words whose words weigh most (weight: how particular a word is to the
    section), marked with an ellipsis where it was cut (also where the passage itself stops mid-sentence,
    cut by the sentence splitter). Every kept run is the document's own text, unchanged; a single clause
    longer than the budget is kept whole rather than cut mid-clause."""
    if len(text.split()) <= budget:
        return (ELLIPSIS + " " if _mid(text) else "") + text + (" " + ELLIPSIS if _cut(text) else "")
    bounds = [0]
    for m in _CLAUSE_END.finditer(text):
        bounds += [m.start(), m.end()]
    bounds.append(len(text))
    pieces = [(a, b) for a, b in zip(bounds[::2], bounds[1::2]) if text[a:b].strip()]
    size = [len(text[a:b].split()) for a, b in pieces]
    value = [sum(weight(w) for w in terms(text[a:b])) for a, b in pieces]
    best, span = -1.0, (0, 1)
    for i in range(len(pieces)):
        words, total = 0, 0.0
        for j in range(i, len(pieces)):
            words += size[j]
            if words > budget and j > i:
                break
            total += value[j]
            if total > best:
                best, span = total, (i, j + 1)
    i, j = span
    out = text[pieces[i][0]:pieces[j - 1][1]].rstrip(",;:")
    return (ELLIPSIS + " " if i > 0 or _mid(out) else "") + out + (
        " " + ELLIPSIS if j < len(pieces) or _cut(text) else "")


def _mid(text: str) -> bool:
    """A passage that starts mid-sentence, with a lower-case word: what follows a quotation that closed with
    "!" or "?" ("said the King triumphantly, pointing to the tarts on the table."), where tokens.passage_bounds
    still cuts so that a speaker's tag stands apart. Marked, not joined: joining every such sentence to
    the one before covered 30 of the three books' 34 chapters against 32 (samples/summarize/quotes.py, a
    recording of each); joining only where no quotation closes at the mark, 32. The cost: a manual's
    sentence that starts with a program's name in lower case ("gnuplot supports ...") is marked too; code
    (x_max =, plot(x)) is not."""
    return bool(re.match(r"[a-z]+\b(?![_.(\[=])", text))


def _cut(text: str) -> bool:
    """A passage that stops mid-sentence: the sentence splitter cut a run-on past LONGEST_PASSAGE."""
    return len(text) >= LONGEST_PASSAGE and not SENTENCE_END.search(text)


# Leave out a sentence another section has with its own names (without_templates). The sample book
# quoted "Everything that happened in <town> happened within sight of ..." in 3 chapters and "There
# were people in <town> who said <man> had been hard done by" in one; left out, its quotes name no
# template, and on Alice and Jekyll and Hyde nothing changes (samples/bench/summarize-quotes/: 32 of 34
# chapters either way; 59 facts of 141 against 61, two of the sample book's lost facts having been
# named by a template alone).
TEMPLATES = True
TEMPLATE_SHARE = 0.5  # of a sentence's word 3-grams


def shape(text: str) -> set[tuple[str, ...]]:
    """A sentence's word 3-grams, lower-cased, with every capitalised word past the first as one
    placeholder: "Everything that happened in Port Ellery happened within sight of ..." and "...in
    Kestrel Bay happened within sight of ..." share most of theirs."""
    words = ["X" if i and w[:1].isupper() else w.lower() for i, w in enumerate(re.findall(r"[A-Za-z0-9']+", text))]
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def without_templates(sections: list[list[Candidate]]) -> list[list[Candidate]]:
    """Each section's candidates less the sentences whose shape (see shape) a candidate of another
    section shares, at least TEMPLATE_SHARE of its word 3-grams: a sentence every chapter has with its
    own names says nothing of this one. A section keeps its candidates if all were such. The sentences
    compared are those sharing a 3-gram that at most 3 per section use, so the work stays near
    linear in the candidates."""
    flat = [(i, shape(c.passage.text)) for i, sec in enumerate(sections) for c in sec]
    postings: dict[tuple[str, ...], list[int]] = {}
    for n, (_, g) in enumerate(flat):
        for gram in g:
            postings.setdefault(gram, []).append(n)
    rare = 3 * len(sections)
    template = set()
    for n, (i, g) in enumerate(flat):
        others = {m for gram in g if len(postings[gram]) <= rare for m in postings[gram] if flat[m][0] != i}
        if any(len(g & flat[m][1]) >= TEMPLATE_SHARE * len(g) for m in others):
            template.add(n)
    out, n = [], 0
    for sec in sections:
        keep = [c for k, c in enumerate(sec, n) if k not in template]
        out.append(keep or sec)
        n += len(sec)
    return out


def choose(cands: list[Candidate], distinct: list[float], k: int, signals: tuple[str, ...] = SIGNALS,
           central: list[float] | None = None, length: int = 0) -> list[Candidate]:
    """The k key sentences: the chosen signals fused by reciprocal rank, near-duplicates skipped.
    `central` replaces their centrality among themselves (centroid_similarity); with the section's
    `length` in tokens, the best of each stretch of it come first (spread)."""
    if not cands:
        return []
    values = {"attention": [c.attention for c in cands],
              "centrality": central if central is not None else centrality(cands), "distinct": distinct}
    for name in signals:
        ranking = sorted(range(len(cands)), key=lambda i: -values[name][i])
        for rank, i in enumerate(ranking, 1):
            cands[i].score += 1.0 / (60 + rank)
    out: list[Candidate] = []
    for c in spread(sorted(cands, key=lambda c: -c.score), length):
        words = set(terms(c.passage.text))
        if all(len(words & set(terms(o.passage.text))) < 0.6 * max(len(words), 1) for o in out):
            out.append(c)
        if len(out) == k:
            break
    return out


def spread(ranked: list[Candidate], length: int, parts: int | None = None) -> list[Candidate]:
    """Ranked sentences reordered so that the best of each of `parts` (SPREAD) equal stretches of a
    section of `length` tokens come first, in their rank order, then the others in theirs."""
    parts = SPREAD if parts is None else parts
    if not length or parts < 2:
        return ranked
    best: dict[int, Candidate] = {}
    for c in ranked:
        best.setdefault(min(parts - 1, c.at * parts // length), c)
    first = {id(c) for c in best.values()}
    return [c for c in ranked if id(c) in first] + [c for c in ranked if id(c) not in first]


class Sections:
    """Splits the passage stream into sections and keeps each one's best sentences (bounded)."""

    def __init__(self, outline: dict[int, str], below: dict[int, list[str]] | None = None) -> None:
        self.outline = outline  # first page -> title
        # first page -> the titles one level down the outline (Section.covers), each page's taken once seen
        self.below = dict(below or {})
        self._below_last = ""  # the last of them seen
        self.done: list[Section] = []
        self.current: Section | None = None
        self.scores = PassageScores()
        self.words = DocumentWords()
        self.cast = Cast(OFTEN)  # the names the document uses in the most sentences (see names_line)
        self.section_freq: Counter = Counter()  # of each term, the sections that use it (bounded by the vocabulary)
        self._n = itertools.count()
        self._subtitle = False  # a heading was just seen: a short title line may follow it
        self._strong = False  # a heading like "Chapter 4" was seen
        self._appendix = "A"  # the letter the next appendix's heading starts with (see appendix)

    def add(self, passages: list[Passage], scores) -> None:
        for c in self.scores.feed(passages, scores):
            self._place(c.passage, c.attention, c.tokens)

    def finish(self, signals: tuple[str, ...] = SIGNALS) -> list[Section]:
        """The sections, each with its key sentences chosen (only those stay)."""
        for c in self.scores.close():
            self._place(c.passage, c.attention, c.tokens)
        self._close()
        # in reading order, so that a tie is broken by where a sentence stands, not by how its heap held it
        cands = [[c for _, c in sorted({n: c for _, n, c in s.heap + s.named_heap}.items())] for s in self.done]
        if TEMPLATES:
            cands = without_templates(cands)
        weight = section_weights(self.section_freq, len(self.done)) if WHOLE_SECTION else word_weights(cands)
        for s, mine, distinct in zip(self.done, cands, distinctiveness(cands, weight)):
            central = centroid_similarity(mine, s.bag, weight) if WHOLE_SECTION else None
            s.key = choose(mine, distinct, CONTEXT, signals, central, s.tokens)
            s.bag = Counter()
            for c in s.key:
                c.shown = excerpt(c.passage.text, weight, QUOTE_WORDS)
            s.heap, s.named_heap = [], []
        often = [n for n, _, _ in self.cast.names()]
        for s in self.done:
            s.who = named_here(s.names, often)
        return self.done

    def _place(self, p: Passage, attention: float, tokens: int) -> None:
        self.words.add(p.text)
        named = self.cast.add_one(p)
        cur = self.current
        title = None
        if self.outline and p.page in self.outline and (cur is None or cur.first.page != p.page):
            title = self.outline[p.page]
        elif not self.outline and p.is_heading:
            strong = p.strong_heading
            self._strong = self._strong or strong
            if strong or not self._strong:  # once chapters are named so, a line in capitals is no heading
                title = p.text
        elif not self.outline and self._strong and self.appendix(p.text):
            title = p.text
        if title is not None:
            self._below_last = ""  # a new section continues no entry of the last one
            if cur is not None and cur.tokens < MIN_SECTION and cur.named:
                cur.title, cur.first, cur.heap, cur.named_heap, cur.bag = title, p, [], [], Counter()  # a contents page
            else:
                self._open(title, p)
            self._subtitle = p.is_heading
            self.current.tokens += tokens
            return
        if cur is None:
            cur = self._open("Opening", p, named=False)
        elif cur.tokens >= LONGEST_SECTION:
            cur = self._open(cur.base_title + f" (part {self._part(cur)})", p, named=cur.named)
            if self._below_last and p.page not in self.below:
                cur.covers.append(f"{self._below_last} (continued)")  # the part opens inside that entry
        if (self._subtitle and len(p.text.split()) <= 8 and p.text[-1:] not in ".!?\"'"
                and not _CODE_MARK.search(p.text)  # a numbered line of code after a heading
                and p.text.lower() not in cur.title.lower()):  # the outline's title may already say it
            cur.title = f"{cur.title} {p.text}"  # "CHAPTER I." then "Down the Rabbit-Hole"
        self._subtitle = False
        starting = self.below.pop(p.page, None)  # the entries one level down that start here
        if starting:
            cur.covers.extend(starting)
            self._below_last = starting[-1]
        cur.tokens += tokens
        if p.text:
            cur.last = p
        if not p.is_heading:
            cur.bag.update(terms(p.text))
            if prose_share(p.text) > PROSE:  # who a section is about, its prose names: not its code nor tables
                cur.names.update(n for n in named if not initial(n, p.text))
        if quotable(p):
            c, n = Candidate(p, attention, at=cur.tokens - tokens), next(self._n)
            for heap, key in ((cur.heap, attention), (cur.named_heap, names(p.text))):
                if len(heap) < CANDIDATES:
                    heapq.heappush(heap, (key, n, c))
                elif key > heap[0][0]:
                    heapq.heapreplace(heap, (key, n, c))

    def appendix(self, text: str) -> bool:
        """Whether a line is the heading of the next appendix: after numbered headings, a short line in
        title case that starts with the next letter, A first ("G Layers" after "F Attributed DOT Format
        (-Tdot)"). graphviz's dotguide has no outline and ten appendices, A to J, after "7
        Acknowledgments", whose quotes were then about the DOT grammar and layers. Letters in order,
        since a title page's "R Data Import/Export" or a line "R CMD command args" has one too."""
        m = _APPENDIX.match(text)
        if m is None or m[1] != self._appendix or not title_line(text):
            return False
        self._appendix = chr(ord(self._appendix) + 1)
        return True

    def _part(self, cur: Section) -> int:
        base = cur.base_title
        if cur.title == base:
            cur.title = f"{base} (part 1)"
            return 2
        return int(cur.title.split(" (part")[1].rstrip(")")) + 1

    def _open(self, title: str, p: Passage, named: bool = True) -> Section:
        self._close()
        self.current = Section(title, p, p, named=named)
        return self.current

    def _close(self) -> None:
        cur, self.current = self.current, None
        if cur is None:
            return
        if not cur.heap and cur.tokens < MIN_SECTION and self.done:
            self.done[-1].last = cur.last  # a stray tail (a page number, a closing line)
            return
        self.section_freq.update(cur.bag.keys())
        cur.names = Counter(dict(cur.names.most_common(NAMES_HELD)))
        used = {w for _, _, c in cur.heap + cur.named_heap for w in terms(c.passage.text)}
        cur.bag = Counter({w: n for w, n in cur.bag.items() if w in used})  # all centroid_similarity needs
        self.done.append(cur)


_APPENDIX = re.compile(r"([A-Z])\s+[A-Z][^.!?]{1,70}$")  # "G Layers": an appendix's letter and title
# What no title holds and code does: the short line after a heading is no subtitle then. Asymptote's
# asy-latex.pdf (a documented LaTeX package) titled its sections "4.2 Packages 12 \RequirePackage{keyval}"
# and "4.8 User interface 178 \newcommand\asy[1][]{%".
_CODE_MARK = re.compile(r"[\\{}#%=<>$|]")


def initial(name: str, text: str) -> bool:
    """Whether a one-letter name is an initial in the text ("J. M. Chambers"), not a name of its own
    (R, C, X: languages and a window system in manuals)."""
    return len(name) == 1 and re.search(rf"\b{re.escape(name)}\.", text) is not None


def named_here(counted: Counter, often: list[str], k: int = WHO, least: int = WHO_LEAST) -> list[str]:
    """Of the names the document uses in the most sentences (`often`, Cast's, in its forms), those a
    section's sentences use most (`counted`: in how many of them each name is), at least `least` times,
    most first (ties: in Cast's order): who and where the section is about. A name is counted under its
    last word, as Cast merges them (Hyde for Mr. Hyde and Edward Hyde, Turtle for the Mock Turtle).
    A month, a day of the week or a part of the document is capitalised but names no one: Cast leaves
    them out (evidence.NOT_NAMES), and common words (Cast.common). The names are counted in the
    section's prose only (not in its code: the R manual's `header = TRUE`), an initial left out
    (Sections._place)."""
    by_last: Counter = Counter()
    for name, n in counted.items():
        by_last[name.rsplit(" ", 1)[-1]] += n
    seen = [(by_last[name.rsplit(" ", 1)[-1]], -i, name) for i, name in enumerate(often)]
    return [name for n, _, name in sorted(seen, reverse=True) if n >= least][:k]


def recurring_names(sections: list[Section], k: int | None = 8) -> list[str]:
    """The names (evidence.name_runs) that the most sections' key sentences use: who and where the
    document is about, in its own words. Front matter and indexes (unquoted) do not count: the title
    page of Alice's Adventures in Wonderland put "Adventures" and "Wonderland" among its 8 names, each
    then in one chapter's quotes besides. k None: all of them."""
    seen: Counter = Counter()
    front = {id(s) for s in unquoted(sections)}
    for s in (s for s in sections if id(s) not in front):
        seen.update(dict.fromkeys(name for c in s.key for name in name_runs(c.passage.text)).keys())  # ties: as read
    return [name for name, n in seen.most_common(k) if n >= 2]


# The names line: the names that the most sections' key sentences use, of those among the OFTEN the
# document uses in the most sentences (evidence.Cast, what `ask` answers "Who are the main characters?"
# with); when fewer than RECURRING are, Cast's own. Measured on the replayed readings of the summary
# bench's three books (samples/summarize/names.py, samples/bench/summarize-names/), characters of
# samples/books/cast.json named: key sentences alone 15 of 32 (the sample book, twelve linked stories
# with a lead each, got "October, Board"), Cast alone 21 (with God and London for Jekyll's), this rule
# 22. On the readings with the PDF layout in, the sample book's key sentences shared one such name,
# Corran Head, which alone made its line (0 of 12) until RECURRING: 22 again.
OFTEN = 24
RECURRING = 3
NAMES_LINE = "Named in the most sections: "  # the program's words, not the model's nor the document's
NAMES_LINES = {"sections": NAMES_LINE, "sentences": "Named in the most sentences: "}
# A note is the model's words, which the checks hold to the document's names and words but not to its
# meaning: of the 5 notes kept on Debian Reference (261 pages) one read "The package is installed, but
# the package is not installed." So the markdown says whose words a note is; the quotes are the document's.
NOTE_LABEL = "*The model's note:* "


def names_line(sections: list[Section], cast: Cast, k: int = 8) -> tuple[list[str], str]:
    """The names a summary lists and what they were counted by ("sections" or "sentences"): the
    recurring_names that the document also uses often (cast: its names counted over every sentence),
    else cast's most used. A month or a board two chapters' key sentences mention ("October, Board",
    the sample book) is not who the book is about, nor is one place alone: with fewer than RECURRING
    such names, cast's are listed (the sample book's twelve stories share only Corran Head)."""
    often = [n for n, _, _ in cast.names()]
    # cast counts a name and a longer one ending with it as one (Turtle, Mock Turtle), under either
    known = set(often) | {n.rsplit(" ", 1)[-1] for n in often}
    recurring = [n for n in recurring_names(sections, k=None)
                 if n in known or n.rsplit(" ", 1)[-1] in known][:k]
    return (recurring, "sections") if len(recurring) >= RECURRING else (often[:k], "sentences")


FRONT_MATTER = 2048  # tokens: unnamed text before the first named section, up to this, is front matter


def front_matter(sections: list[Section]) -> list[Section]:
    """The unnamed sections before the first named one (a title page, a contents page), when they are
    short: a summary does not quote a book's contents as if they were its story."""
    first = next((i for i, s in enumerate(sections) if s.named), None)
    if first is None or sum(s.tokens for s in sections[:first]) > FRONT_MATTER:
        return []
    return sections[:first]


# A back-of-the-book index's title: "Index", "Concept Index", "Index of Functions" (numbered or lettered, in
# parts or not). Its lines are page references; the Asymptote manual's summary quoted "11 Compiling from
# UNIX source." from its "Index (part 2)".
_INDEX_TITLE = re.compile(r"(?:[A-Z\d.]+\s+)?(?:(?:\w+\s+){0,3}index(?:es)?|index(?:es)?\s+of\s+.+)", re.IGNORECASE)


def unquoted(sections: list[Section]) -> list[Section]:
    """The sections a summary quotes nothing from and writes no note for: its front matter and its
    indexes, the named sections at its end whose titles say index (at its end only: a section "2.4 Array
    index" in the middle of a manual is no index)."""
    back = len(sections)
    while back and sections[back - 1].named and _INDEX_TITLE.fullmatch(sections[back - 1].base_title):
        back -= 1
    return front_matter(sections) + sections[back:]


@dataclass(slots=True)
class Summary:
    """A summary of a document: a short overview, then each section's note and quotes."""

    name: str
    overview: str
    sections: list[Section]
    names: list[str]  # names_line's
    dropped: list[dict]  # sentences of the overview dropped for naming what the document lacks
    reading: reading.Reading
    seconds: float
    tokens_written: int
    structure: str  # where the sections came from: outline, headings or stretches
    names_counted: str = "sections"  # what the names were counted by (names_line)

    @property
    def dropped_total(self) -> int:
        return len(self.dropped) + sum(len(s.dropped) for s in self.sections)

    def markdown(self) -> str:
        out = [f"# Summary of {self.name}", ""]
        if self.overview:
            out += [self.overview, ""]
        if self.names:
            out += [f"{NAMES_LINES[self.names_counted]}{', '.join(self.names)}.", ""]
        shown = self.shown()
        for s in self.sections:
            if id(s) not in shown:
                continue
            out += [f"## {s.title} ({s.where()})" if s.named else f"## {s.where()[0].upper()}{s.where()[1:]}", ""]
            if s.covers and s.base_title != s.title:  # a part cut by length: what the outline says is in it
                more = len(s.covers) - COVERS_SHOWN
                tail = f" and {more} more." if more > 0 else "."
                out += [f"{COVERS}{', '.join(s.covers[:COVERS_SHOWN])}{tail}", ""]
            if s.who:
                out += [f"{NAMED_HERE}{', '.join(s.who)}.", ""]
            if s.note:
                out += [NOTE_LABEL + s.note, ""]
            for c in s.quotes_shown:
                out += [f"> {c.display} ({c.passage.cite()})", ">"]
            if s.quotes:
                out[-1] = ""
        return "\n".join(out).rstrip() + "\n"

    def shown(self) -> set[int]:
        """The ids of the sections the markdown shows: those with key sentences, but for a title page, a
        contents page or an index (unquoted)."""
        left_out = {id(s) for s in unquoted(self.sections)}
        return {id(s) for s in self.sections if s.key and id(s) not in left_out}

    def as_dict(self) -> dict:
        """Every section, each saying whether the markdown shows it."""
        shown = self.shown()
        return {"name": self.name, "summary": self.overview, "names": self.names,
                "names_counted": self.names_counted, "structure": self.structure,
                "sections": [s.as_dict() | {"shown": id(s) in shown} for s in self.sections],
                "dropped": self.dropped_total,
                "overview_dropped": self.dropped, "reading": self.reading.as_dict(),
                "tokens": self.reading.tokens, "seconds": round(self.seconds, 1),
                "tokens_written": self.tokens_written, "peak_rss_mb": round(peak_rss_mb(), 1),
                "markdown": self.markdown()}


def _write(engine: InfiniModel, tok: Tokenizer, lines: list[str], question: str, max_tokens: int) -> str:
    """The model's answer to `question` from `lines` alone, read with exact attention."""
    return ask.answer_from(engine, tok, question, lines, max_tokens)


def check_strategy(strategy: str) -> None:
    """One sentence for a strategy that is not infini or a baseline, before the model loads."""
    if strategy not in STRATEGIES:
        raise InfiniError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")


def run(engine: InfiniModel, tok: Tokenizer, path: str, *, password: str | None = None,
        length: str = "medium", notes: bool = True, strategy: str = "infini",
        on_segment: Callable[[SegmentStats], None] | None = None,
        on_note: Callable[[int, int, int], None] | None = None) -> Summary | SummaryResult:
    """Summarize the document at `path`. on_note(i, n, tokens written so far) reports the writing.
    A baseline strategy (first, last, mapreduce: the bench's) gives summarize_baseline's SummaryResult."""
    check_strategy(strategy)
    if length not in LENGTHS:
        raise InfiniError(f"the length must be one of {', '.join(LENGTHS)}, got {length}")
    if strategy != "infini":
        return summarize_baseline(engine, tok, path, strategy, length, password=password, on_segment=on_segment)
    if snapshot.is_snapshot(path):
        raise InfiniError(f"{path} is a saved state, which keeps no sentences to quote; summarize the "
                          "document itself")
    t0 = time.perf_counter()
    note_tokens, summary_tokens = LENGTHS[length]
    entries = outline_entries(path, password)  # the PDF's outline, read once for both levels
    outline = by_first_page(entries)
    below: dict[int, list[str]] = {}
    for depth, page, title in entries:
        if depth == 1:
            below.setdefault(page, []).append(title)
    sections = Sections(outline, below)
    probe = ask.prompt_ids(tok, GENERIC)
    total = reading.count_tokens(tok, path, password)
    result = reading.read(engine, tok, path, open_source(path, password), probe, summary_tokens + 256,
                          on_segment, total, on_passages=lambda ps, stats: sections.add(ps, stats.scores))
    done = sections.finish()
    structure = "outline" if outline else "headings" if any(s.named for s in done) else "stretches"
    written = 0
    if notes:
        front = {id(s) for s in unquoted(done)}
        for i, s in enumerate(done, 1):
            lines = [c.passage.text for c in sorted(s.key, key=lambda c: (c.passage.page or 0, c.passage.line))]
            if lines and id(s) not in front:
                raw = _write(engine, tok, lines, NOTE_QUESTION, note_tokens)
                written += len(tok.encode(raw))
                s.note, s.dropped, s.rewritten = sections.words.check(note_text(raw), lines, NOTE_SUPPORT, NOTE_WORDS,
                                                                      copies=False, whole=True, one_line=True)
                s.point([lines[d["copies"]] for d in s.dropped if "copies" in d])
            if on_note is not None:
                on_note(i, len(done) + 1, written)
    overview, dropped = "", []
    written_notes = [s.note for s in done if s.note]
    if len(written_notes) >= 2:
        raw = _write(engine, tok, written_notes, SUMMARY_QUESTION, summary_tokens)
        written += len(tok.encode(raw))
        # copies=False: one note again is no summary of the whole
        overview, dropped, _ = sections.words.check(note_text(raw), written_notes, NOTE_SUPPORT, NOTE_WORDS,
                                                    copies=False, whole=True)
    if on_note is not None:
        on_note(len(done) + 1, len(done) + 1, written)
    name = "stdin" if path == "-" else path.rsplit("/", 1)[-1]
    named, counted = names_line(done, sections.cast)
    return Summary(name, overview, done, named, dropped, result, time.perf_counter() - t0, written,
                   structure, counted)


def _ask(engine: InfiniModel, tok: Tokenizer, instruction: str, max_tokens: int) -> str:
    ids = engine.generate(tok.chat(instruction), max_tokens, tok.stop_ids, no_repeat_ngram=NO_REPEAT)
    return tok.decode(ids).strip()


@dataclass(slots=True)
class SummaryResult:
    """A baseline's summary (for the bench): what the model wrote of what fit its context."""

    name: str
    summary: str
    notes: list[str]
    tokens: int
    strategy: str
    seconds: float

    def markdown(self) -> str:
        return f"# Summary of {self.name}\n\n{self.summary}\n"

    def as_dict(self) -> dict:
        return {"summary": self.summary, "notes": self.notes, "strategy": self.strategy, "tokens": self.tokens,
                "notes_written": len(self.notes), "most_notes_held": len(self.notes),
                "seconds": round(self.seconds, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
                "markdown": self.markdown()}


def summarize_baseline(engine: InfiniModel, tok: Tokenizer, path: str, strategy: str, length: str, *,
                       password: str | None = None, on_segment: Callable[[SegmentStats], None] | None = None
                       ) -> SummaryResult:
    """first / last / mapreduce, each with exact attention inside the native context."""
    if strategy not in STRATEGIES or strategy == "infini":
        raise InfiniError(f"unknown baseline {strategy!r}; choose first, last or mapreduce")
    t0 = time.perf_counter()
    tokens = (tid for tid, _ in token_stream(tok, open_source(path, password)))
    note_tokens, summary_tokens = LENGTHS[length]
    window = engine.native_context - summary_tokens - 512  # room for the prompt and the answer
    exact = EngineConfig.for_method("full", segment=engine.config.segment, adaptive=False)
    name = "stdin" if path == "-" else os.path.basename(path)

    def summarise(block: list[int], instruction: str, max_tokens: int) -> str:
        engine.reset(exact)
        engine.read(block, on_segment=on_segment)
        return _ask(engine, tok, instruction, max_tokens)

    def done(summary: str, notes: list[str], total: int) -> SummaryResult:
        return SummaryResult(name, summary, notes, total, strategy, time.perf_counter() - t0)

    instruction = f"Write a {length} summary of the text above. Name the main people, places and events."
    total = 0
    if strategy == "first":
        block = next(batched(iter(tokens), window))
        return done(summarise(block, instruction, summary_tokens), [], len(block))
    if strategy == "last":
        last: list[int] = []
        for block in batched(iter(tokens), window):  # keep only the last full window
            last = (last + block)[-window:]
            total += len(block)
        return done(summarise(last, instruction, summary_tokens), [], total)
    notes = []
    for block in batched(iter(tokens), window):
        notes.append(summarise(block, CHUNK_PROMPT, note_tokens))
        total += len(block)
    engine.reset(exact)
    return done(_ask(engine, tok, FINAL_PROMPT.format(notes=_bullets(notes), length=length), summary_tokens),
                notes, total)
