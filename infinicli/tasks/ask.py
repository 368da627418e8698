"""A question answered about a long input: read with the question steering the recall pool and rating
every passage as evidence, then answered from the best passages (or from the state)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from infinicli import reading, snapshot
from infinicli.config import EngineConfig
from infinicli.engine import InfiniModel
from infinicli.errors import InfiniError
from infinicli.evidence import (
    SINK_TOKENS,
    Cast,
    Contents,
    DocumentWords,
    Evidence,
    about_the_cast,
    about_the_whole,
    document_order,
)
from infinicli.model_store import ModelInfo
from infinicli.sources import open_source, top_outline
from infinicli.tokenizer import Tokenizer

BASELINE_QUESTION = "What is this text about?"  # the generic question a contrastive pool score subtracts
QUOTES = 3  # passages quoted with an answer, and read by it
NO_REPEAT = 3  # no 3-gram twice in an answer
UNQUOTED = SINK_TOKENS  # the input's first tokens take attention whatever is asked (the sink): never quoted


def prompt_ids(tok: Tokenizer, question: str, prefix: str = "") -> list[int]:
    """The question prompt (Tokenizer.question); `prefix` starts the answer."""
    return tok.question(question, prefix)


def answer(engine: InfiniModel, tok: Tokenizer, question: str, max_tokens: int = 64,
           prefix: str = "", on_text: Callable[[str], None] | None = None) -> str:
    """Greedy answer from the engine's current state, up to the end of its first paragraph.

    The recalled blocks sit right before the question (recall_last); the answer includes `prefix`.
    on_text gets the answer's text as it grows (each new piece), for a screen to stream it.
    """
    so_far: list[int] = []
    shown = 0

    def stream(tid: int) -> None:
        nonlocal shown
        so_far.append(tid)
        said = tok.decode(so_far).lstrip()
        if LEAD_IN_TEXT.startswith(said.lower()):  # it may yet be "The answer is:": wait and see
            return
        text = without_lead_in(said).split("\n")[0]
        if len(text) > shown:
            on_text(text[shown:])
            shown = len(text)

    def paragraph_done(out: list[int]) -> bool:
        text = without_lead_in(tok.decode(out).lstrip())
        return "\n" in text.rstrip() or text.endswith("\n\n")

    # An answer may not start with a line break: on code the model would end it there, empty, and
    # go on to repeat the question (5 of 10 repository questions did, samples/code/results.json).
    breaks = {i for text in ("\n", "\n\n", " \n") for i in tok.encode(text)}
    out = engine.generate(prompt_ids(tok, question, prefix), max_tokens, tok.stop_ids,
                          on_token=stream if on_text is not None else None,
                          stop_when=paragraph_done, recall_last=True, not_first=breaks | tok.stop_ids,
                          no_repeat_ngram=NO_REPEAT)
    text = without_lead_in(tok.decode(out).strip()).split("\n")[0].strip()
    return f"{prefix.strip()} {text}".strip() if prefix.strip() else text


LEAD_IN = re.compile(r"^\s*(?:the\s+)?answer(?:\s+is\b\s*:?|\s*:)\s*", re.IGNORECASE)
LEAD_IN_TEXT = "the answer is:"


def without_lead_in(text: str) -> str:
    """The model's words without the "The answer is:" ("Answer:", "The answer is") it often starts with,
    on its own line or not (the answer then follows on the next line: it must not end the answer there)."""
    return LEAD_IN.sub("", text, count=1)


def answer_from(engine: InfiniModel, tok: Tokenizer, question: str, lines: list[str], max_tokens: int = 64,
                prefix: str = "", on_text: Callable[[str], None] | None = None) -> str:
    """The answer written from the given lines alone, read with exact attention. The state is
    replaced by them: call this last."""
    engine.set_probe(None)
    engine.reset(EngineConfig.for_method("full", segment=engine.config.segment))
    engine.read(tok.encode("".join(line + "\n" for line in lines)))
    return answer(engine, tok, question, max_tokens, prefix, on_text)


def recalled(engine: InfiniModel, tok: Tokenizer) -> list[dict]:
    """The passages the recall pool held when the question was asked, in input order, as text with
    their first token position, score and whether the answer read them (tokens the state does not
    know, as from an older snapshot, decode to nothing)."""
    pool = engine.state.pool
    read = set(pool.best_blocks(engine.answer_blocks))
    return [{"position": b["position"], "tokens": b["tokens"], "score": round(b["score"], 4),
             "answer_read": n in read, "text": tok.decode([i for i in b["ids"] if i >= 0])}
            for n, b in enumerate(pool.blocks_held())]


@dataclass(slots=True)
class Quote:
    """A line of the input the question attends to: its first token's position, score and text."""

    position: int
    score: float
    text: str


def quotes(engine: InfiniModel, tok: Tokenizer, k: int | None = 3) -> list[Quote]:
    """The k lines (None: every line) of what the state holds exactly, the recall pool and the window,
    on which the question (set_probe) puts the most attention, best first. The input's first
    UNQUOTED tokens are left out, as the sink is: with exact attention over a short input (no sink
    kept apart), the first line took 3 times the needle line's score in a test.

    A line's score is the sum of its tokens' scores (engine.state_scores: the retrieval heads' mass,
    less a baseline question's); a line ends after a line break or where the held text jumps.
    """
    st = engine.state
    scores = engine.state_scores()[st.pool.sink_size:]
    ids = torch.cat([st.pool.ids[: st.pool.size], st.window.ids[: st.window.size]])
    pos = torch.cat([st.pool.pos[: st.pool.size], st.window.pos[: st.window.size]])
    keep = pos >= UNQUOTED
    scores, ids, pos = scores[keep], ids[keep].tolist(), pos[keep].tolist()
    breaks = [tid >= 0 and "\n" in tok.decode([tid]) for tid in ids]
    lines: list[list[int]] = []  # token indices
    for j in range(len(ids)):
        if j == 0 or breaks[j - 1] or pos[j] != pos[j - 1] + 1:
            lines.append([])
        lines[-1].append(j)
    out = []
    for line in lines:
        text = tok.decode([ids[j] for j in line if ids[j] >= 0]).strip()
        if text:
            out.append(Quote(pos[line[0]], float(scores[line].sum()), text))
    out.sort(key=lambda q: -q.score)
    return out if k is None else out[:k]


@dataclass(slots=True)
class AskResult:
    """An answer and what it rests on."""

    question: str
    answer: str
    answered_from: str  # "evidence" (written from the passages), "contents" (the title and headings
    # listed, for a question about the whole document), "names" (the names used most, for a question
    # about who is in it), "state" (the whole memory), "quote" (the cited
    # passages themselves in document order, when nothing the model wrote held up against the document)
    evidence: list[dict]  # the passages the answer was written from, best first: text, page|path, line, score
    dropped: list[dict]  # sentences of the model's answer that named what the document does not contain
    reading: reading.Reading
    rewritten: list[dict] = field(default_factory=list)  # sentences whose miscopied names were respelt
    recalled: list[dict] = field(default_factory=list)  # what the recall pool held when asked
    by_signal: dict[str, list[dict]] = field(default_factory=dict)  # the best passages by each signal alone
    candidates: list[dict] = field(default_factory=list)  # every passage the evidence held (run(candidates=True))

    def as_dict(self) -> dict:
        return {"question": self.question, "answer": self.answer, "answered_from": self.answered_from,
                "evidence": self.evidence, "dropped": self.dropped, "rewritten": self.rewritten,
                "reading": self.reading.as_dict(),
                "recalled": self.recalled, "by_signal": self.by_signal} | (
                    {"candidates": self.candidates} if self.candidates else {})


def held_up(words: DocumentWords, text: str, source: str, question: str, lines: list[str] | None,
            cited: list[str]) -> tuple[str, str, list[dict], list[dict]]:
    """What the model wrote, checked against the document (and, when it wrote from `lines`, against
    them and the question); when nothing holds up, the cited passages themselves answer, one a line in
    document order (source "quote"). All of them, not the best-ranked alone: on the R manual the
    answer's line was cited but ranked third for two questions, after the line that states the
    question's situation ("...you may see many warnings about changing ownership." above "In which case
    you can use tar --no-same-owner"). Returns (answer, source, dropped, rewritten)."""
    kept, dropped, rewritten = words.check(text, None if lines is None else lines + [question], question=question)
    if not kept and cited:
        return "\n".join(cited), "quote", dropped, rewritten
    return kept, source, dropped, rewritten


def check_question(question: str) -> None:
    if not question.strip():
        raise InfiniError("the question is empty")


def run(engine: InfiniModel, tok: Tokenizer, info: ModelInfo, path: str, question: str, *,
        password: str | None = None, max_tokens: int = 64, answer_prefix: str = "",
        from_state: bool = False, on_segment=None, on_text: Callable[[str], None] | None = None,
        candidates: bool = False) -> AskResult:
    """Read `path` (a document, or a saved .infini state) with the question known, and answer it.

    By default the answer is written from the QUOTES passages that the evidence ranks best (the
    retrieval heads' attention fused with a lexical match), read with exact attention: measured on
    prose needles 6 of 6 right this way against 3 of 6 from the whole state. `from_state` answers from
    the memory, pool and window instead. A saved state keeps no passages: it answers from the state and
    quotes what its pool and window hold. A question about the whole document ("What is this document
    about?": evidence.about_the_whole) is answered with the document's title and top-level headings
    (evidence.Contents), which no line-by-line ranking finds: measured on the R installation manual,
    the model's one sentence from them named its last chapter only ("about the R Math library").
    `candidates` keeps every passage the evidence held, with both signals, in the result (for benches)."""
    check_question(question)
    prompt = prompt_ids(tok, question, answer_prefix)
    if snapshot.is_snapshot(path):
        result = reading.load(engine, info, path)
        engine.set_probe(prompt)  # the quotes need the question; the pool was kept without it
        held = [{"text": q.text, "position": q.position, "score": round(q.score, 4)}
                for q in quotes(engine, tok, QUOTES)]
        engine.set_probe(None)  # so the answer reads every pool block
        text = answer(engine, tok, question, max_tokens, answer_prefix, on_text)
        return AskResult(question, text, "state", held, [], result, recalled=recalled(engine, tok))
    evidence, words = Evidence(question), DocumentWords()
    # a question about the whole document is answered from its own contents: its title and headings
    contents = Contents(top_outline(path, password)) if about_the_whole(question) and not from_state else None
    # and one about who is in it with the names it uses most, each cited where it first appears
    cast = Cast() if about_the_cast(question) and not from_state else None

    def on_passages(passages, stats) -> None:
        evidence.add(passages, stats.scores)
        words.add_passages(passages)
        if contents is not None:
            contents.add(passages)
        if cast is not None:
            cast.add(passages)

    total = reading.count_tokens(tok, path, password)
    result = reading.read(engine, tok, path, open_source(path, password), prompt, len(prompt) + max_tokens,
                          on_segment, total, on_passages=on_passages)
    by_signal = {"attention": [c.as_dict() for c in evidence.best(QUOTES, lexical=False)],
                 "lexical": [c.as_dict() for c in evidence.best(QUOTES, attention=False)]}
    best = evidence.best(QUOTES)
    pool = recalled(engine, tok)
    held = evidence.candidates() if candidates else []
    listed = contents.passages() if contents is not None else []
    if len(listed) >= 2:  # the contents are the answer, in the document's words: nothing to write
        return AskResult(question, contents.answer(), "contents",
                         [{"text": p.text, **p.where(), "contents": True} for p in listed], [], result,
                         recalled=pool, by_signal=by_signal, candidates=held)
    named = cast.names() if cast is not None else []
    if named:  # the names are the answer, counted in the document: nothing to write
        return AskResult(question, Cast.answer(named), "names",
                         [{"text": p.text, **p.where(), "name": n, "sentences": c} for n, c, p in named], [],
                         result, recalled=pool, by_signal=by_signal, candidates=held)
    cited, lines = [c.passage.text for c in document_order(best)], None
    if from_state or not best:
        text, source = answer(engine, tok, question, max_tokens, answer_prefix, on_text), "state"
    else:
        lines = cited
        text, source = answer_from(engine, tok, question, lines, max_tokens, answer_prefix, on_text), "evidence"
    kept, source, dropped, rewritten = held_up(words, text, source, question, lines, cited)
    return AskResult(question, kept, source, [c.as_dict() for c in best], dropped, result, rewritten, pool,
                     by_signal, held)
