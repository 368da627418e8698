"""A repository read file by file through the engine, then an overview or an answer about it.

Each file is streamed with a header naming its path, so the memory and the recall pool hold code
together with where it lives. With a question, every line of code is rated as it streams past by the
question's attention in the retrieval heads, less a generic question's (in code most attention goes
to the same line breaks and common words whatever is asked), fused with a lexical match of the
question's words (evidence.Evidence). The answer is written by the model from the best lines alone,
and given with them as path:line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from infinicli import reading
from infinicli.config import SegmentStats
from infinicli.engine import InfiniModel
from infinicli.errors import InfiniError
from infinicli.evidence import Candidate, DocumentWords, Evidence
from infinicli.sources.repo import RepoScan, iter_repo_chunks, parse_size, summarize_scan, walk_repo
from infinicli.tasks import ask
from infinicli.tokenizer import Tokenizer
from infinicli.tokens import SENTENCE_END, Passage

OVERVIEW = ("Describe the codebase above: what it is for, its main parts, and which files each part "
            "lives in.")
QUOTE_CHARS = 240  # a quoted line is cut here (minified code has lines of thousands of characters)
# A line ending so does not finish what it says: a def's or an if's colon, a call's or a literal's open
# bracket or comma, an assignment continued, a backslash. It is cited with the line after it.
OPEN_ENDS = (":", ",", "(", "[", "{", "=", "\\")
PROSE = (".md", ".markdown", ".rst", ".txt")  # a line of these goes on when it does not end a sentence


@dataclass(slots=True)
class CodeResult:
    root: str
    question: str | None
    answer: str
    evidence: list[dict]  # path, line, text, score (end_line: two lines): what the answer was written from, best first
    dropped: list[dict]
    reading: reading.Reading
    files: list[str] = field(default_factory=list)  # the files the evidence comes from
    rewritten: list[dict] = field(default_factory=list)  # sentences whose miscopied names were respelt
    answered_from: str = "overview"  # "evidence" (written from the cited lines), "quote" (the cited lines themselves)
    scan: dict = field(default_factory=dict)  # every file read and skipped: sources.repo.summarize_scan
    candidates: list[dict] = field(default_factory=list)  # every line the evidence held (run(candidates=True))

    def as_dict(self) -> dict:
        return {"root": self.root, "question": self.question, "answer": self.answer, "evidence": self.evidence,
                "quotes": self.evidence, "files": self.files, "dropped": self.dropped,
                "rewritten": self.rewritten, "answered_from": self.answered_from,
                "reading": self.reading.as_dict()} | self.scan | (
                    {"candidates": self.candidates} if self.candidates else {})


def scan(directory: str | Path, include: Iterable[str] = (), exclude: Iterable[str] = (),
         max_file_size: str = "1MB") -> RepoScan:
    """The files `run` will read (nothing from the repository runs: see sources.repo); refuses a bad
    size or a folder with nothing to read, before any model is loaded."""
    try:
        size_limit = parse_size(max_file_size)
    except ValueError as exc:
        raise InfiniError(str(exc)) from None
    found = walk_repo(directory, include, exclude, size_limit)
    if not found.files:
        raise InfiniError(f"{directory} has no text files to read")
    return found


def cite(c: Candidate) -> dict:
    """A line the evidence chose, as cited: path, line, text and score, and when the line does not finish
    its statement or sentence (goes_on) the next line of the file too (`end_line`, the text two lines): a function's
    first line says where something is done, its next line what is done; one keyword argument of a
    call is followed by the next. (No example from samples/code/questions.json here: this file is
    read when those questions are asked of this repository.)"""
    p, after = c.passage, c.following
    item = {"path": p.origin, "line": p.line, "text": p.text[:QUOTE_CHARS], "score": round(c.score, 5)}
    if (after is not None and after.origin == p.origin and after.line == p.line + 1 and after.text.strip()
            and goes_on(p)):
        item["text"] += "\n" + after.text[:QUOTE_CHARS]
        item["end_line"] = after.line
    return item


def goes_on(p: Passage) -> bool:
    """Whether a line does not finish what it says: code that ends in OPEN_ENDS, or a line of prose (a
    README, PROSE) that does not end a sentence, as a paragraph wrapped at its width does. (No example
    from samples/code/questions.json here: see cite.)"""
    text = p.text.rstrip()
    if p.origin.lower().endswith(PROSE):
        return bool(text) and not SENTENCE_END.search(text) and not text.startswith(("#", "|", "```"))
    return text.endswith(OPEN_ENDS)


def cited_once(cited: list[dict]) -> list[dict]:
    """The cited lines without a line that another cites with it (end_line): tiktoken's
    TIKTOKEN_CACHE_DIR question cited load.py:37-38 and load.py:38, and its answer showed line 38 twice.
    The two-line one stays where the better of the two ranked."""
    covered = {(c["path"], c["end_line"]): c for c in cited if "end_line" in c}
    out = []
    for c in cited:
        wider = covered.get((c["path"], c["line"])) if "end_line" not in c else None
        keep = c if wider is None else wider
        if keep not in out:
            out.append(keep)
    return out


def evidence_lines(cited: list[dict]) -> list[str]:
    """The quoted lines in file and line order, as `path:line: code` (grep's form), one a line, each once."""
    return list(dict.fromkeys(f"{c['path']}:{c['line'] + n}: {text}"
                              for c in sorted(cited, key=lambda c: (c["path"], c["line"]))
                              for n, text in enumerate(c["text"].split("\n"))))


def run(engine: InfiniModel, tok: Tokenizer, scan: RepoScan, question: str | None, *, max_tokens: int = 96,
        on_segment: Callable[[SegmentStats], None] | None = None, candidates: bool = False,
        on_text: Callable[[str], None] | None = None) -> CodeResult:
    """Read every file of the scan; answer the question from its best lines, or give an overview.
    `candidates` keeps every line the evidence held, with both signals, in the result (for benches);
    on_text gets the answer's text as it is written, unchecked (a screen shows it; see ui.ProgressView)."""
    if question is not None:
        ask.check_question(question)
    facts = summarize_scan(scan, lambda text: len(tok.encode(text)))
    total_tokens = facts["totals"]["tokens"]
    probe = ask.prompt_ids(tok, question) if question else None
    evidence, words = Evidence(question) if question else None, DocumentWords()

    def on_passages(passages, stats) -> None:
        if evidence is not None:
            evidence.add(passages, stats.scores)
        words.add_passages(passages)

    result = reading.read(engine, tok, str(scan.root), iter_repo_chunks(scan), probe,
                          reserve=(len(probe) if probe else 64) + max_tokens, on_segment=on_segment,
                          total_tokens=total_tokens, baseline=ask.prompt_ids(tok, ask.BASELINE_QUESTION),
                          on_passages=on_passages, by="line")
    if not question:  # the overview is checked too: a sentence naming what the repository never holds goes
        out = engine.generate(tok.chat(OVERVIEW), max_tokens, tok.stop_ids, no_repeat_ngram=ask.NO_REPEAT)
        kept, dropped, rewritten = words.check(tok.decode(out).strip())
        return CodeResult(str(scan.root), None, kept, [], dropped, result, rewritten=rewritten, scan=facts)
    cited = cited_once([cite(c) for c in evidence.best(ask.QUOTES)])
    if cited:
        lines = evidence_lines(cited)
        text = ask.answer_from(engine, tok, question, lines, max_tokens, on_text=on_text)
    else:
        lines, text = None, ask.answer(engine, tok, question, max_tokens, on_text=on_text)
    kept, source, dropped, rewritten = ask.held_up(words, text, "evidence" if lines else "state", question, lines,
                                                   lines or [])
    return CodeResult(str(scan.root), question, kept, cited, dropped, result,
                      list(dict.fromkeys(c["path"] for c in cited)), rewritten, source, facts,
                      evidence.candidates() if candidates else [])
