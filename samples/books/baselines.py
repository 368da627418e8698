"""No-model floor: sumy's LexRank and TextRank on each book's .txt, scored with the facts.json rule.

Bench-only (sumy is not a project dependency):

    pip install sumy
    python samples/books/baselines.py

Writes baselines.json beside this file: per book, method and sentence count, the summary's words,
seconds (parse + summarize, wall clock), and the coverage of the book's key facts computed by
infinicli.bench.coverage (a chapter counts as covered when at least one of its facts is).

Sentences: sumy's English tokenizer needs NLTK's punkt data. When it is not installed (it cannot be
downloaded on a machine that reaches only the package registries), this script splits sentences
with a small rule of its own (SentenceSplitter below) and words with NLTK's Treebank-style word
tokenizer (what nltk.word_tokenize applies to each sentence; it needs no data). baselines.json
records which was used.
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from nltk.tokenize import NLTKWordTokenizer
from sumy.nlp.stemmers import Stemmer
from sumy.nlp.tokenizers import Tokenizer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
from infinicli.bench import coverage  # noqa: E402

BOOKS = ["alices-adventures-in-wonderland", "dr-jekyll-and-mr-hyde"]
METHODS = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer}
COUNTS = [12, 24]


class SentenceSplitter:
    """A sentence ends at . ! or ? (then any closing quotes or brackets) when whitespace and a capital
    letter or an opening quote or bracket follow, unless the word before the stop is a title or an
    initial ("Mr.", "Dr.", "H.J."). So a dialogue tag stays with its speech: '"Well!" said Alice.'
    is one sentence (Punkt would split it after the '!"')."""

    END = re.compile(r"[.!?]+[\u201d\u2019\"')\]]*(?=\s+[A-Z\u201c\u2018\"'(\[])")
    NOT_AN_END = re.compile(r"(?:\b(?:Mr|Mrs|Messrs|Dr|St|Esq|Rev|Col|Capt|Gen|Prof|etc|viz)|\b(?!I\.)[A-Z](?:\.[A-Z])*)\.$")

    def tokenize(self, text: str) -> list[str]:
        out, start = [], 0
        for m in self.END.finditer(text):
            if m.group().startswith(".") and self.NOT_AN_END.search(text[start:m.start() + 1]):
                continue
            out.append(text[start:m.end()].strip())
            start = m.end()
        out.append(text[start:].strip())
        return [s for s in out if s]


class BookTokenizer(Tokenizer):
    """sumy's Tokenizer interface with the splitter above and NLTK's Treebank-style word tokenizer."""

    def __init__(self):
        self._language = "english"
        self._sentence_tokenizer = SentenceSplitter()
        self._word_tokenizer = NLTKWordTokenizer()


def tokenizer_for(text: str) -> tuple[Tokenizer, str]:
    try:
        return Tokenizer("english"), "sumy Tokenizer('english') with NLTK punkt data"
    except LookupError:
        return BookTokenizer(), "NLTK punkt data not installed: own SentenceSplitter (see baselines.py), NLTKWordTokenizer"


def main() -> None:
    stop_words = get_stop_words("english")
    out = {"method": __doc__.split("\n\n")[0], "books": []}
    for slug in BOOKS:
        text = (HERE / f"{slug}.txt").read_text(encoding="utf-8")
        facts = json.loads((HERE / f"{slug}.facts.json").read_text())
        tok, how = tokenizer_for(text)
        book = {"book": facts["book"], "text": f"{slug}.txt", "tokenizer": how, "runs": []}
        for name, cls in METHODS.items():
            for n in COUNTS:
                t0 = time.perf_counter()
                doc = PlaintextParser.from_string(text, tok).document
                summarizer = cls(Stemmer("english"))
                summarizer.stop_words = stop_words
                sentences = [str(s) for s in summarizer(doc, n)]
                seconds = round(time.perf_counter() - t0, 2)
                summary = "\n".join(sentences)
                cov = coverage(summary, facts)
                run = {"method": name, "sentences": n, "document_sentences": len(doc.sentences),
                       "words": len(summary.split()), "seconds": seconds,
                       **{k: v for k, v in cov.items() if k != "per_chapter"},
                       "chapters_covered_list": [c["chapter"] for c in cov["per_chapter"] if c["covered"]],
                       "command": f"python samples/books/baselines.py  # {name}, {n} sentences",
                       "summary": sentences}
                book["runs"].append(run)
                print(f"{slug:34} {name:8} {n:3} words {run['words']:5} s {seconds:6} "
                      f"facts {cov['facts_covered']}/{cov['facts']} chapters {cov['chapters_covered']}/{cov['chapters']}")
        out["books"].append(book)
    (HERE / "baselines.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
