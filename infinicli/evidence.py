"""Evidence: the passages of a document an answer or a summary rests on, chosen as they stream past.

The engine rates every token it reads by the question's attention in the retrieval heads
(SegmentStats.scores); a passage's attention is the sum over its tokens. Beside it runs a lexical
match of the question's words (BM25, with document frequencies counted for the question's own terms
only, so nothing grows with the input; a passage's neighbours lend it their words at a lower weight).
At most `keep` passages are held by each signal; at the end the two rankings are fused by reciprocal
rank (fuse). Everything here is bounded by `keep`, not by the input.

Grounding: the words of the document (a set, bounded by its vocabulary) let a generated sentence be
checked: one that names a person, place, number or capitalised term the document never contains is
not the document's, and neither is one whose content words are mostly absent from the lines it was
written from ("The child was very nervous" from lines about a lighthouse keeper).
"""

from __future__ import annotations

import difflib
import heapq
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch

from infinicli.config import EngineConfig
from infinicli.tokens import SENTENCE_END, Passage, passage_bounds

SINK_TOKENS = EngineConfig().sink  # the input's first tokens take attention whatever is asked (the sink)
# Reciprocal rank fusion: a passage scores weight / (RRF_K + rank) by each signal (k = 60, Cormack et al.
# 2009). On questions whose answer line is known (samples/bench/evidence) the lexical match's top ranks
# held the answer on the manual and in code, and attention's on a novel ("Dr. Jekyll's servant"), so
# the lexical match counts five times as much and attention still lifts what it ranks high. With the
# neighbours' words in the lexical match (CONTEXT = 0.5), 1:5 and 1:3 at k = 60 found 15 of 21 on the
# PDF layout's recordings and 1:5 also on the ones before it (1:3 there 13); 1:1 and 1:2 found 11-14,
# k = 20 14-15.
RRF_K = 60
WEIGHTS = {"attention": 1.0, "lexical": 5.0}
BM25_K1, BM25_B = 1.2, 0.75
PREFIX = 4  # letters a word and a question's term must share, one being the start of the other, to match
# A passage's lexical match counts the words of the passages right before and after it at this weight:
# a novel names the servant in one sentence and Poole in the next ("A well-dressed, elderly servant
# opened the door." / "Is Dr. Jekyll at home, Poole?" asked the lawyer.). On the evidence bench with
# the weights above, the answer's line was in the top 3 for 13 of 21 questions without the neighbours
# and 15 with them at 0.25, 0.5, 0.75 and 1.0 alike (on the recordings made before the PDF layout
# change: 14, and 15 at 0.25 and 0.5). BM25's average length stays that of the passages alone: with the
# neighbours' words counted in it too, 14. A heading neither lends its words nor borrows: a contents
# page's titles had lent each other theirs ("DR. JEKYLL WAS QUITE AT EASE" ranked 4th for "Who was
# murdered by Mr. Hyde?", from its neighbours "SEARCH FOR MR. HYDE" and "THE CAREW MURDER CASE"); so
# still 15, that question's answer 5th instead of 9th.
CONTEXT = 0.5
SUPPORT = 0.5  # a generated sentence needs this share of its content words in the lines it was written from

STOPWORDS = frozenset("""a an and are as at be been but by can could did do does for from had has have how i if in
into is it its may might must no not of on or our shall should so such than that the their them then there these
they this those to was we were what when where which while who whom whose why will with would you your about
after all also any before between both each few more most other over same some through under until very
he she him her his hers it me my us he's she's""".split())


def terms(text: str) -> list[str]:
    """Lower-case content words with a plural's s cut off: the units of lexical match. An identifier
    comes apart at its underscores and its inner capitals (SimpleBytePairEncoding: simple byte pair
    encoding), as a question names the same thing in words."""
    out = []
    for w in _CAMEL.sub(" ", " ".join(re.findall(r"[A-Za-z0-9]+", text))).lower().split():
        if w in STOPWORDS or len(w) < 2:
            continue
        out.append(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


@dataclass(slots=True)
class Candidate:
    """A passage with what each signal made of it."""

    passage: Passage
    attention: float  # the question's attention mass on its tokens
    tokens: int
    tf: dict[str, int] = field(default_factory=dict)  # the question's terms in it
    length: int = 0  # its terms, for BM25's length normalisation
    score: float = 0.0  # fused
    lexical: float = 0.0
    following: Passage | None = None  # the passage read right after it (a line of code's next line)

    def as_dict(self) -> dict:
        return {"text": self.passage.text, **self.passage.where(), "score": round(self.score, 5),
                "attention": round(self.attention, 4), "lexical": round(self.lexical, 3)}


class PassageScores:
    """Token scores summed per passage across segment boundaries; a passage is complete when a token of
    another passage follows it."""

    def __init__(self) -> None:
        self.open: Candidate | None = None
        self.position = 0  # tokens seen

    def feed(self, passages: list[Passage], scores: torch.Tensor | None) -> list[Candidate]:
        done = []
        values = scores.tolist() if scores is not None else [0.0] * len(passages)
        for p, s in zip(passages, values):
            if self.open is None or self.open.passage is not p:
                if self.open is not None:
                    self.open.following = p
                    done.append(self.open)
                self.open = Candidate(p, 0.0, 0)
            if self.position >= SINK_TOKENS:
                self.open.attention += s
            self.open.tokens += 1
            self.position += 1
        return done

    def close(self) -> list[Candidate]:
        done, self.open = ([self.open] if self.open is not None else []), None
        return done


class Evidence:
    """The passages that best answer one question, kept as the document streams past."""

    def __init__(self, question: str, keep: int = 64, context: float | None = None) -> None:
        # a title ("Mr.", "Dr.") says whom a name is, not what is asked: "Who was murdered by Mr. Hyde?"
        # found "SEARCH FOR MR. HYDE" (Mr, Hyde) before "THE CAREW MURDER CASE" (murder)
        self.query = [w for w in dict.fromkeys(terms(question)) if w.capitalize() not in TITLES]
        self.keep = keep
        self.context = CONTEXT if context is None else context
        self._before: list[str] = []  # the terms of the passage offered last
        self._next: tuple[Passage | None, list[str]] = (None, [])  # the passage after it, and its terms
        self.df = dict.fromkeys(self.query, 0)
        self.seen = 0  # passages
        self.total_length = 0
        self._by_attention: list[tuple[float, int, Candidate]] = []  # min-heaps
        self._by_lexical: list[tuple[float, int, Candidate]] = []
        self._order = itertools.count()
        self.scores = PassageScores()

    def add(self, passages: list[Passage], scores: torch.Tensor | None) -> None:
        """One segment's tokens: each token's passage and the question's score of it."""
        for c in self.scores.feed(passages, scores):
            self._offer(c)

    def _offer(self, c: Candidate) -> None:
        words = self._next[1] if self._next[0] is c.passage else terms(c.passage.text)
        if c.passage.line < 1:  # a file header (not the document's text): what follows is another file's
            self._before = []
        if not words or c.passage.line < 1:  # blank, or a file header
            return
        self.seen += 1
        self.total_length += len(words)
        for w in words:
            if (q := self._query_term(w)) is not None:
                c.tf[q] = c.tf.get(q, 0) + 1
        for w in c.tf:
            self.df[w] += 1
        after: list[str] = []
        if c.following is not None:  # its terms, kept for when it is offered in turn
            self._next = (c.following, terms(c.following.text))
            if c.following.line >= 1 and not c.following.is_heading:
                after = self._next[1]
        c.length = len(words)
        if self.context and not c.passage.is_heading:
            c.length += self.context * (len(self._before) + len(after))
            for w in self._before + after:
                if (q := self._query_term(w)) is not None:
                    c.tf[q] = c.tf.get(q, 0) + self.context
        self._before = [] if c.passage.is_heading else words
        n = next(self._order)
        for heap, key in ((self._by_attention, c.attention), (self._by_lexical, self._bm25(c))):
            if len(heap) < self.keep:
                heapq.heappush(heap, (key, n, c))
            elif key > heap[0][0]:
                heapq.heapreplace(heap, (key, n, c))

    def _query_term(self, word: str) -> str | None:
        """The question's term a word of the input counts for: itself, or one of which it is the start or
        which is its start, of PREFIX letters or more (temp: temporary, environ: environment,
        downloaded: download)."""
        if word in self.df:
            return word
        for q in self.query:
            short, long = (word, q) if len(word) < len(q) else (q, word)
            if len(short) >= PREFIX and long.startswith(short):
                return q
        return None

    def _bm25(self, c: Candidate) -> float:
        if not c.tf:
            return 0.0
        avg = self.total_length / max(self.seen, 1)
        score = 0.0
        for w, tf in c.tf.items():
            idf = math.log(1 + (self.seen - self.df[w] + 0.5) / (self.df[w] + 0.5))
            score += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * c.length / avg))
        return score

    def _held(self) -> list[Candidate]:
        """Every passage either signal holds (the last one closed), with its lexical score as BM25 over the
        whole input."""
        for c in self.scores.close():
            self._offer(c)
        cands = list({id(c): c for _, _, c in itertools.chain(self._by_attention, self._by_lexical)}.values())
        for c in cands:
            c.lexical = self._bm25(c)
        return cands

    def candidates(self) -> list[dict]:
        """Every passage either signal holds, with both signals: what a bench needs to try other ways of
        ranking without reading the input again."""
        return [{"text": c.passage.text, **c.passage.where(), "attention": c.attention, "lexical": c.lexical,
                 "tokens": c.tokens} for c in self._held()]

    def best(self, k: int, attention: bool = True, lexical: bool = True) -> list[Candidate]:
        """The k best passages, best first: the two rankings fused by reciprocal rank (or one alone)."""
        cands = self._held()
        scores = fuse([c.attention for c in cands], [c.lexical for c in cands], attention, lexical)
        for c, score in zip(cands, scores):
            c.score = score
        return once(sorted(cands, key=lambda c: -c.score), lambda c: c.passage.text)[:k]


def once(ranked: list, text: Callable[[Any], str]) -> list:
    """A ranking with each text kept once, where it ranks best: a contents page repeats a chapter's
    title, and Jekyll and Hyde's "THE CAREW MURDER CASE" was cited from page 13 and again from page 1."""
    seen: set[str] = set()
    return [x for x in ranked if not ((key := _plain(text(x))) in seen or seen.add(key))]


def fuse(attention: list[float], lexical: list[float], use_attention: bool = True, use_lexical: bool = True,
         k: float = RRF_K, weights: dict[str, float] = WEIGHTS) -> list[float]:
    """Each passage's fused score from its two signals: reciprocal rank fusion (constant k, a weight per
    signal), where a passage with none of the question's words has no lexical rank at all. A signal that
    is zero everywhere is left out. The bench (samples/evidence/rank.py) tries other k and weights."""
    n = len(attention)
    w_att = weights["attention"] if use_attention and any(a != 0 for a in attention) else 0.0
    w_lex = weights["lexical"] if use_lexical and any(x > 0 for x in lexical) else 0.0
    scores = [0.0] * n
    for weight, values, ranked in ((w_att, attention, range(n)),
                                   (w_lex, lexical, [i for i in range(n) if lexical[i] > 0])):
        if weight:
            for rank, i in enumerate(sorted(ranked, key=lambda i: -values[i]), 1):
                scores[i] += weight / (k + rank)
    return scores


class DocumentWords:
    """Every word the document contains, lower-cased: what a generated sentence is checked against."""

    def __init__(self) -> None:
        self.words: set[str] = set()

    def add(self, text: str) -> None:
        self.words.update(_key(w) for w in _WORD.findall(text))
        self.words.update(w.lower() for w in _COMPOUND.findall(text))

    def add_passages(self, passages: list[Passage]) -> None:
        """A segment's passages, one per token: each passage's words once."""
        last = None
        for p in passages:
            if p is not last:
                self.add(p.text)
                last = p

    def unsupported(self, sentence: str) -> list[str]:
        """The names, numbers and capitalised terms of a sentence that the document never contains, and
        its identifiers and dotted numbers taken whole (`get_list_of_functions`, 3.0: each piece of
        them is common)."""
        out = [w for w in _COMPOUND.findall(sentence) if w.lower() not in self.words]
        for w in _WORD.findall(sentence):
            if (any(ch.isupper() for ch in w) or any(ch.isdigit() for ch in w)) and w.lower() not in STOPWORDS:
                key = _key(w)
                if not {key, key.rstrip("s"), key.removesuffix("'s")} & self.words:
                    out.append(w)
        return list(dict.fromkeys(out))

    def check(self, text: str, sources: list[str] | None = None, support: float = SUPPORT, min_words: int = 1,
              question: str | None = None, copies: bool = True, whole: bool = False, one_line: bool = False
              ) -> Checked:
        """Keep the sentences of a generated text whose every name the document contains and, when the
        lines it was written from are given, at least `support` of whose content words they hold, and
        which has at least `min_words` words; report the others (the sentence, its unsupported names, the
        share of its words supported). With the `question`, a sentence must also take at least one
        content word from the lines that the question does not hold: one that only restates the
        question says nothing (a bare yes or no answers only a question that asks yes or no).

        With copies False, a sentence that copies one of the lines (copied_line) is dropped too, marked
        with that line's index: a note that repeats a line says nothing the line does not. With whole
        True, a last sentence that does not end as a sentence does (the token limit cut it) is dropped.
        With one_line True, the `support` share is of the content words one line holds, the line that
        holds most, not all the lines together: a note restates a line, and the notes that drew their
        words from several lines were the wrong ones (Alice's chapter XII: "The King said that the
        King's sister was a grown woman", the King from one line and the sister grown a woman from
        another). For the same reason its names must be that line's (names_missing).

        A sentence that says "not", "no", "never" (NEGATION) where the line it draws most words from (the
        question is one of the lines an answer is checked against) says none of them is dropped too. Of
        the notes the default model wrote for the summary bench's three books (samples/bench/
        summarize-notes), the check kept two that did so, both false: "The beacon is not a beacon", of
        '"The beacon is automatic," said Rowan', and "I will not be able to watch you photograph the
        clouds", of '"Then I shall watch you photograph the clouds," said Arthur'; of the answers about
        the R manual (samples/bench/evidence), "The option --withlapack is not available on Fedora.".
        The answer to a question that asks yes or no may say no where its lines do not. A sentence that
        says a count (digits, or a number word: numbers) that the line it draws from does not (with
        one_line; else any of the lines) is dropped too (numbers_missing), and with one_line, one that says
        one named being is another where its line says no such thing (equates_names).

        A name miscopied from the given lines ("Zephyreline" for "Zephyrline") is first rewritten to
        their spelling (close_spelling); numbers are never rewritten."""
        source_terms = set(terms(" ".join(sources))) if sources is not None else None
        line_terms = [set(terms(x)) for x in sources] if sources else []
        lines = [x for x in sources or [] if x != question]  # a reply may repeat the question's words
        lines_terms = [t for x, t in zip(sources or [], line_terms) if x != question]  # lines' terms, as line_terms
        asked = set(terms(question)) if question else set()
        yes_or_no = bool(question) and YES_NO_QUESTION.match(question) is not None
        spellings = {w: None for w in _WORD.findall(" ".join(sources))} if sources is not None else {}
        kept, dropped, rewritten = [], [], []
        starts = passage_bounds(text, "sentence")
        for n, s in enumerate(starts):
            sentence = " ".join(text[s: starts[n + 1] if n + 1 < len(starts) else len(text)].split())
            if not sentence:
                continue
            bad = self.unsupported(sentence)
            fixes = {w: close for w in bad if (close := close_spelling(w, spellings))}
            if fixes:
                was = sentence
                names = re.compile(r"\b(" + "|".join(map(re.escape, fixes)) + r")\b")
                sentence = names.sub(lambda m, f=fixes: f[m[1]], sentence)
                bad = self.unsupported(sentence)
                if not bad:
                    rewritten.append({"sentence": was, "as": sentence})
            words = terms(sentence)
            share = sum(w in source_terms for w in words) / len(words) if words and source_terms is not None else 1.0
            elsewhere: list[str] = []
            drawn_from = sources or []
            if line_terms and words:
                held = [sum(w in line for w in words) for line in line_terms]
                drawn_from = [sources[i] for i, n in enumerate(held) if n == max(held)]
                if one_line:
                    share = max(held) / len(words)
                    elsewhere = min((names_missing(sentence, line) for line in drawn_from), key=len)
            negated = (not yes_or_no and sources is not None and NEGATION.search(sentence) is not None
                       and not any(NEGATION.search(line) for line in drawn_from))
            counted = numbers_missing(sentence, drawn_from if one_line else (sources or [])) if sources else []
            equated = one_line and equates_names(sentence) and not any(equates_names(line) for line in drawn_from)
            says_nothing = (bool(question) and source_terms is not None and not (set(words) & source_terms) - asked
                            and not (yes_or_no and YES_NO & set(_WORD.findall(sentence.lower()))))
            off = (ON_THE_QUESTION and bool(question) and not says_nothing
                   and off_the_question(words, lines_terms, asked))
            n, runs = copied_runs(sentence, lines) if not bad else (0, {})
            spliced = is_splice(runs)
            copy = None if copies else copied_line(n, runs)
            why = ({"restates_question": True} if says_nothing else {}) | ({"spliced": True} if spliced else {}) \
                | ({"copies": copy} if copy is not None else {}) \
                | ({"unfinished": True} if whole and not SENTENCE_END.search(sentence) else {}) \
                | ({"names_elsewhere": elsewhere} if elsewhere else {}) | ({"negation": True} if negated else {}) \
                | ({"numbers_elsewhere": counted} if counted else {}) | ({"equates_names": True} if equated else {}) \
                | ({"off_the_question": True} if off else {})
            if bad or share < support or len(sentence.split()) < min_words or why:
                dropped.append({"sentence": sentence, "unsupported": bad, "supported_words": round(share, 2)} | why)
            else:
                kept.append(sentence)
        return Checked(" ".join(kept), dropped, [r for r in rewritten if r["as"] in kept])


# An answer must rest on a line that matches its question as well as any cited line does (off_the_question).
ON_THE_QUESTION = True


def off_the_question(words: list[str], lines: list[set[str]], asked: set[str]) -> bool:
    """Whether an answer's sentence (its terms, `words`) takes what it says beyond the question from a
    line (each given by its set of terms, as check has them) that holds at most half as many of the
    question's words (`asked`) as another of the lines it was written from: it answers some other
    question those lines raise. Asked "Which pstoedit option helps when the fonts are not typeset
    correctly?" over the Asymptote manual, the model wrote "The -dis option helps when the line widths
    aren't quite correct." from the second line cited, where the first, "If the fonts aren't typeset
    correctly, try giving pstoedit the -dt option.", holds the question's words; the word check keeps
    it, every word being the document's."""
    if len(lines) < 2:
        return False
    own = set(words) - asked
    took = [len(own & t) for t in lines]
    if not max(took):
        return False
    matches = [len(asked & t) for t in lines]
    return 2 * max(m for m, n in zip(matches, took) if n == max(took)) <= max(matches)


def names_missing(sentence: str, line: str) -> list[str]:
    """The names of a generated sentence (name_runs) that the line it restates does not hold: "The
    island's only boatman, Arthur, is the only one who can photograph the corona" took its words from a
    line about a boatman bribed so that another man alone would photograph it, and Arthur from another."""
    held = {w.lower() for w in _WORD.findall(line)}
    return [n for n in name_runs(sentence)
            if not all({k, k.removesuffix("'s")} & held for k in (w.lower() for w in _WORD.findall(n)))]


_COPULA = re.compile(r"\b(?:is|are|was|were)\s+(?:both\s+|all\s+)?(?:the\s+|a\s+|an\s+)?([A-Z][\w'\u2019-]*)")


def equates_names(sentence: str) -> bool:
    """Whether a sentence says that one named being is another: a name, then is/are/was/were and a name
    ("The March Hare is the Dormouse", "The Hatter and the Dormouse are both the Hatter": notes the
    default model wrote on Alice, each word of them the line's)."""
    found = name_runs(sentence)
    if not found:
        return False
    starts = {n.split()[0] for n in found}
    for m in _COPULA.finditer(sentence):
        before = sentence[: m.start()]
        if m[1].removesuffix("'s") in starts and any(n in before for n in found):
            return True
    return False


# Number words a sentence may say in place of digits. Not "one" (the one who, no one) nor "first" (at first):
# more often a pronoun or an adverb than a count.
_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split()) if w != "_"} | {
    w: str(10 * n) for n, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)} | {
    "hundred": "100", "thousand": "1000", "million": "1000000", "dozen": "12", "twice": "2", "thrice": "3"} | {
    w: f"{n}#" for n, w in enumerate("second third fourth fifth sixth seventh eighth ninth tenth eleventh "
                                     "twelfth".split(), 2)}  # an ordinal: n and a mark, as 2nd's
_NUMBER = re.compile(r"\d+(?:[,.]\d+)*(?:st|nd|rd|th)?|[A-Za-z]+")


def numbers(text: str) -> set[str]:
    """The counts a text says, as digits ("six" and "6" alike; an ordinal as its number and a mark, "sixth"
    and "6th" as 6#); commas in digits dropped."""
    found = set()
    for w in _NUMBER.findall(text):
        low = w.lower()
        if low[:1].isdigit():
            found.add(re.sub(r"(st|nd|rd|th)$", "#", low.replace(",", "")))
        elif low in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[low])
    return found


def numbers_missing(sentence: str, lines: list[str]) -> list[str]:
    """The counts of a generated sentence (numbers) that none of the lines it was written from says: the
    default model's note on the sample book's chapter 11 was "The three men of Sollas who carried the
    telescope", of "the six men of Sollas who had carried the telescope"; every word but one was the
    line's, and the name check had nothing to say."""
    held = set().union(*(numbers(line) for line in lines)) if lines else set()
    return sorted(numbers(sentence) - held)


SPLICE_RUN = 4  # words: a run this long that a source line holds verbatim was copied from it
SPLICE_WORDS = 5  # copied words from lines other than the one it copies most make a sentence a splice


def copied_runs(sentence: str, lines: list[str]) -> tuple[int, dict[int, set[int]]]:
    """A sentence's number of words, and for each line the positions of those of its words that lie in
    a run of SPLICE_RUN words the line holds verbatim."""
    words = [w.lower() for w in _WORD.findall(sentence)]
    where: dict[tuple[str, ...], set[int]] = {}
    for i, line in enumerate(lines):
        lw = [w.lower() for w in _WORD.findall(line)]
        for j in range(len(lw) - SPLICE_RUN + 1):
            where.setdefault(tuple(lw[j: j + SPLICE_RUN]), set()).add(i)
    copied: dict[int, set[int]] = {}
    for j in range(len(words) - SPLICE_RUN + 1):
        for i in where.get(tuple(words[j: j + SPLICE_RUN]), ()):
            copied.setdefault(i, set()).update(range(j, j + SPLICE_RUN))
    return len(words), copied


def is_splice(copied: dict[int, set[int]]) -> bool:
    """Whether a generated sentence, by its copied_runs, is pieced together from verbatim runs of two
    or more different lines: one line's subject with another's predicate. "The song about Kestrel Bay
    that everyone knew and nobody could sing was lost, and was wrong, and said so cheerfully, many
    times." joined a line about a song to a line about a man who was wrong; every word of it is the
    document's, so the word check passes it. The sentence is a splice when the line it copies most
    leaves SPLICE_WORDS or more of its copied words to other lines."""
    if len(copied) < 2:
        return False
    best = max(copied.values(), key=len)
    others = set().union(*(c for c in copied.values() if c is not best)) - best
    return len(others) >= SPLICE_WORDS


COPIED = 0.8  # share of a sentence's words in verbatim runs of one line: the sentence is that line's copy


def copied_line(n: int, copied: dict[int, set[int]]) -> int | None:
    """The index of the line a generated sentence of `n` words copies, by its copied_runs (COPIED of its
    words in runs of that line), or None: such a sentence is no note on the line, it is the line."""
    best = max(copied, key=lambda i: len(copied[i]), default=None)
    return best if best is not None and len(copied[best]) >= COPIED * n else None


class Checked(NamedTuple):
    """A generated text after DocumentWords.check: what is kept, the sentences dropped, and those
    whose miscopied names were rewritten to the document's spelling."""

    text: str
    dropped: list[dict]
    rewritten: list[dict]


# not inside an option or a value: --no-same-owner, --with-x=no
NEGATION = re.compile(r"(?<![\w=/-])(?:not|no|never|nothing|none|nobody|nor|neither|cannot)(?![\w=/-])|n['\u2019]t\b",
                      re.I)
YES_NO = {"yes", "no", "not", "never", "cannot", "can't", "don't", "isn't"}  # an answer, though no new word
# ... to a question that asks yes or no ("Is installing R into a path with spaces supported?"): to "Which
# tar flag ...?" the answer "no." said nothing (samples/bench/evidence/answers.json, manual question 1)
YES_NO_QUESTION = re.compile(r"\s*(?:is|are|was|were|do|does|did|can|could|should|will|would|has|have|had|may|must"
                             r"|isn't|aren't|doesn't|don't)\b", re.IGNORECASE)
SPELLING = 0.8  # difflib ratio above which a generated name is taken for a miscopy of a source word


def close_spelling(word: str, spellings: Iterable[str]) -> str | None:
    """The source word `word` most likely miscopies (same initial, difflib ratio ≥ SPELLING), or None.
    Words with digits and short words are never matched: 1815 is not a misspelt 1816."""
    if len(word) < 5 or not word.isalpha():
        return None
    pool = [w for w in spellings if w[:1].lower() == word[:1].lower() and w.isalpha()]
    match = difflib.get_close_matches(word, pool, n=1, cutoff=SPELLING)
    return match[0] if match else None


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")  # where an identifier's next word starts
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")
# an identifier with an underscore, or a dotted number (a version, a section): checked whole, since
# its pieces (get, list, 3, 0) are in almost any document
_COMPOUND = re.compile(r"(?<![\w.])(?:(?=\w*_)(?=\w*[A-Za-z0-9])\w+|\d+(?:\.\d+)+)(?!\w|\.\d)")


def _key(word: str) -> str:
    """A word as DocumentWords compares it: lower case, one apostrophe (a book prints "Poole\u2019s", a
    model writes "Poole's")."""
    return word.lower().replace("\u2019", "'")


# Words a question about the whole document is made of ("What is this document about?", "Which topics
# does the book cover?"), as terms() gives them: no line of the text matches such a question better than
# another, so its evidence is the document's own contents (Contents).
WHOLE_DOCUMENT = frozenset("""document doc text book manual paper file report article guide story novel work
topic cover subject summary summarize summarise overview content main mainly mostly general generally whole
deal discuss discusse describe explain purpose theme chapter section part say tell write written kind""".split())
CONTENTS = 24  # headings an answer about the whole document is written from


def about_the_whole(question: str) -> bool:
    """Whether a question asks about the document as a whole: every content word it has is one of
    WHOLE_DOCUMENT (or it has none: "What is it about?"), and it names no number ("What does part 2
    say?" asks about one part; terms() drops a lone digit)."""
    return set(terms(question)) <= WHOLE_DOCUMENT and not re.search(r"\d", question)


class Contents:
    """A document's own table of contents, gathered as it streams past (bounded by `keep`): its first
    line (a title page's title), then its top-level headings, each once. With a PDF's outline
    (sources.top_outline) these are the outline's top-level titles, each cited at the first heading on
    its page (where the title is printed, perhaps as "CHAPTER ONE" above it); without one, every
    heading that names itself one ("Chapter 4", "# Title", "4 Title"), less numbered subsections
    ("4.2 Title") and running heads repeated on later pages."""

    def __init__(self, outline: dict[int, str] | None = None, keep: int = CONTENTS) -> None:
        self.outline = dict(outline or {})  # first page -> top-level title
        self.keep = keep
        self.first: Passage | None = None
        self.headings: list[Passage] = []
        self._seen: set[str | int] = set()

    def add(self, passages: Iterable[Passage]) -> None:
        for p in passages:
            if self.first is None and p.line >= 1 and terms(p.text):
                self.first = p
                continue
            if len(self.headings) >= self.keep or not p.is_heading:
                continue
            if self.outline:
                if p.page in self.outline and p.page not in self._seen:
                    self._seen.add(p.page)
                    title = self.outline[p.page]
                    self.headings.append(p if _plain(p.text) == _plain(title) else
                                         Passage(title, p.origin, p.page, p.line, is_heading=True))
                continue
            key = re.sub(r"\s*\d+$", "", _plain(p.text))  # a running head repeats a heading with its page
            if p.strong_heading and not re.match(r"\d+\.\d", p.text) and key not in self._seen:
                self._seen.add(key)
                self.headings.append(p)

    def passages(self) -> list[Passage]:
        return ([self.first] if self.first is not None else []) + self.headings

    def answer(self) -> str:
        """The title, then the headings: "Title. Contents: One; Two." A title page whose first sentence
        runs on into its own "Contents" heading does not say it twice."""
        title, *headings = [p.text for p in self.passages()] or [""]
        title = re.sub(r"[\s.:]*\bcontents[\s.:]*$", "", title, flags=re.IGNORECASE).rstrip(".")
        return f"{title}. Contents: {'; '.join(headings)}."


TITLES = ("Mr", "Mrs", "Ms", "Dr", "St", "Miss", "Sir")  # a title goes with the name after it


LIST_MARKS = frozenset("\u2022 \u25e6 \u25aa \u2023 \u25cf % #".split())  # a bullet, a comment's mark


# A word that may be part of a name: letters and digits, with apostrophes, hyphens, dots, "+" or "&" inside
# ("O'Brien", "C++", "AT&T"); not "T[]", "x_max" or "f(x)". With one letter alone (name_runs), these kept
# gnuplot's manual from naming "N", "C", "Y" and "B" among its sections' names, and the Asymptote
# manual's from "T", "T[]" and "Label L".
_NAME_WORD = re.compile(r"[^\W_](?:[^\W_]|['\u2019.+&-])*")
_NUMBERING = re.compile(r"\(?\d+(?:\.\d+)*[.)]?")  # a section's or a list item's number: 2, 2.3, 4., (1), 3)


def name_runs(text: str) -> list[str]:
    """The names in a sentence: runs of capitalised words that are not its first word, a quotation's
    first word, the first word after a colon, a semicolon or a list's mark nor a stopword ("Mock
    Turtle", "Utterson", "Port Ellery"), a title left off ("Mr. Hyde": Hyde) and a possessive's s cut
    ("Alice's": Alice). Once each, in order. After a colon a capital starts a caption's or a label's
    words, as a sentence's first word does: Debian Reference's "Table 2.1: List of ..." had put List
    among the names of 20 of its 29 sections. After a semicolon or a bullet it starts a statement's or
    an item's: the Asymptote manual's "...pen p=currentpen); Here" and "% Use this form" put Here among
    the names of its most sections. A capital letter alone is a variable's name in a formula or code
    (gnuplot's N, C, Y), and ends a run ("Label L": Label); a word with code's marks is none (_NAME_WORD).
    The cost: a character called by an initial alone (Kafka's K.) is not counted. A number that opens the
    text (a section's, a list item's) is not its first word: the word after it is (gnuplot's contents
    lines "23 New plot styles ." had put New among its first section's names)."""
    found = []
    run: list[str] = []
    words = text.split()
    numbered = 0  # words at the start that number it: "2.3 New features", "23 New plot styles ." (a contents line)
    while numbered < len(words) and _NUMBERING.fullmatch(words[numbered]):
        numbered += 1
    for k, (before, w) in enumerate(zip(words, [*words[1:], "."])):
        if k < numbered:  # the word after its number is a sentence's first word
            continue
        if (before.endswith((":", ";")) or before in LIST_MARKS) and w[:1].isupper():  # it ended any run before it
            continue
        bare = _bare(w)
        if re.split(r"['\u2019]", bare.lower())[0] in STOPWORDS:  # I'll, I'm: a pronoun, not a name
            bare = bare.lower()
        if bare in TITLES:
            continue
        # a quotation's first word is a sentence's first word ("Yes," said Alice); a letter alone or a word
        # with code's marks in it is a variable or a type, not a name (see _NAME_WORD)
        named = (bare[:1].isupper() and bare.lower() not in STOPWORDS and w[:1] not in "\"'\u201c\u2018"
                 and len(bare) > 1 and _NAME_WORD.fullmatch(bare) is not None)
        if named:
            name = re.sub(r"['\u2019]s$", "", bare)
            run.append(name)
            if name == bare == w.strip("\"'(\u201c\u2018"):
                continue  # no punctuation nor possessive after it: the name may go on
        if run:
            found.append(" ".join(run))
        run = []
    return list(dict.fromkeys(found))


# Words a question about who is in the document is made of ("Who are the main characters?", "Who is the
# protagonist of the story?"), as terms() gives them; it must have one of CAST_ASKED.
CAST_ASKED = frozenset("character people person protagonist hero heroine cast figure".split())
CAST_WORDS = CAST_ASKED | frozenset("main principal central major key important leading name named".split())
CAST = 8  # names an answer about the cast lists
CAST_HELD = 4096  # distinct names counted at most; past it, those seen once are forgotten
NAMED_OFTEN = 10  # sentences that capitalise a word past their first: a name, however often it is lower case
# Capitalised, and no one's name: a month, a weekday, a part of the document (the sample book's "December",
# the R manual's "see Chapter 2", dotguide's "Figure 3" and "Section 2.1", which led its names line)
# A language or a people's adjective is capitalised too and names no one here: Alice's chapter II, where
# the Mouse may be French and may not understand English, had English among the four names under its title.
NOT_NAMES = frozenset("""January February March April May June July August September October November December
Monday Tuesday Wednesday Thursday Friday Saturday Sunday Chapter Section Table Figure Figures Appendix Part
Page English French German Latin Greek Italian Spanish Dutch Russian Chinese Japanese Portuguese Swedish
Danish Norwegian Polish Turkish Arabic Hebrew Irish Scottish Welsh British European""".split())


def about_the_cast(question: str) -> bool:
    """Whether a question asks who the document is about: one of CAST_ASKED, nothing but CAST_WORDS and
    WHOLE_DOCUMENT besides, and no number."""
    asked = set(terms(question))
    return bool(asked & CAST_ASKED) and asked <= CAST_WORDS | WHOLE_DOCUMENT and not re.search(r"\d", question)


class Cast:
    """The names a document uses in the most sentences, counted as it streams past, each with the
    sentence it first appears in: what a question about its main characters asks for, in the document's
    own words (the default model, asked who is in one chapter held in its context, named no one). The
    count is bounded: past CAST_HELD names, those seen in one sentence only are dropped; the words
    counted in lower case (see common) are bounded by the document's vocabulary."""

    def __init__(self, keep: int = CAST) -> None:
        self.keep = keep
        self.count: Counter = Counter()
        self.first: dict[str, Passage] = {}  # a name's first sentence; in the order the names first came
        self.lower: Counter = Counter()  # of each word written in lower case, the sentences that have it
        self._last: Passage | None = None

    def add(self, passages: Iterable[Passage]) -> None:
        """A segment's passages, one per token: each sentence's names once (a sentence may run on into
        the next segment)."""
        for p in passages:
            self.add_one(p)

    def add_one(self, p: Passage) -> list[str]:
        """One passage: the names counted in it (none for a heading, a file header, or the passage
        counted last again)."""
        if p is self._last:
            return []
        self._last = p
        if p.is_heading or p.line < 1:  # a heading's capitals are a title, not names
            return []
        found = name_runs(p.text)
        for name in found:
            self.count[name] += 1
            self.first.setdefault(name, p)
        self.lower.update({w for w in (_bare(w) for w in p.text.split()) if w.islower()})
        if len(self.count) > CAST_HELD:
            for name in [n for n, c in self.count.items() if c == 1]:
                del self.count[name], self.first[name]
        return found

    def names(self) -> list[tuple[str, int, Passage]]:
        """The `keep` names in the most sentences (3 at least), most first, with their first sentence.
        A name and a longer one that ends with it (Jekyll, Henry Jekyll; Turtle, Mock Turtle) are one
        person, counted under the form used more often. A "name" with a digit is no one's: Debian
        Reference's tables mark packages "V:0", "V:1", which led its summary's names line; they are left out
        before the most used are taken, so that many marks crowd out no name, and so are a common word
        (see common) and NOT_NAMES."""
        count = Counter(dict(Counter({n: c for n, c in self.count.items() if not any(map(str.isdigit, n))
                                      and n not in NOT_NAMES and not self.common(n)}
                                     ).most_common(8 * self.keep)))
        order = {n: i for i, n in enumerate(self.first)}  # which name came first
        first = {n: n for n in count}  # the form whose first sentence each counted name cites
        for name in [n for n in count if " " in n]:
            short = name.rsplit(" ", 1)[1]
            if short in count and name in count:
                kept, merged = (name, short) if count[name] > count[short] else (short, name)
                count[kept] += count.pop(merged)
                first[kept] = min(first[kept], first.pop(merged), key=order.__getitem__)
        return [(n, c, self.first[first[n]]) for n, c in count.most_common(self.keep) if c >= 3]

    def common(self, name: str) -> bool:
        """A capitalised word the document writes in lower case in more sentences than it capitalises
        it past their first word, and capitalises so in fewer than NAMED_OFTEN: a word, not a name.
        graphviz's dotguide listed "Case" (3 sentences; "case" in 7) among who one of its sections is
        about, and the letters of its examples ("G", "C", "B"). An acronym is kept (dotguide's language
        DOT, though the program dot is named in 41 sentences), and so is a name capitalised often:
        Debian Reference's Git (21; its command git in 70) and Vim (20; 60), Alice's Cat (26; "cat" in 10)."""
        return (" " not in name and not (len(name) > 1 and name.isupper())
                and self.count[name] < NAMED_OFTEN and self.lower[name.lower()] > self.count[name])

    @staticmethod
    def answer(named: list[tuple[str, int, Passage]]) -> str:
        """names() as the answer: the program's words, not the model's."""
        return "Named in the most sentences: " + ", ".join(f"{n} ({c})" for n, c, _ in named) + "."


def _bare(word: str) -> str:
    """A word without the punctuation and quotation marks around it."""
    return word.strip(".,;:!?\"'()[]\u201c\u201d\u2018\u2019")


def _plain(text: str) -> str:
    return " ".join(text.split()).lower()


def document_order(cands: Iterable[Candidate]) -> list[Candidate]:
    """Candidates in the order the document has them (file, page, line)."""
    return sorted(cands, key=lambda c: (c.passage.origin, c.passage.page or 0, c.passage.line))
