"""Streaming summaries with bounded buffers, and the baselines they are measured against.

`infini` strategy: the document streams through the engine; after each stretch (the carried window,
so the stretch is still seen exactly) the model writes a short note while the memory carries
everything before it. Notes merge level by level, `FANOUT` per level like a counter in base FANOUT,
so at most (FANOUT - 1) notes wait on each of O(log n) levels. The final summary is written from the
remaining notes, oldest first, with the memory of the whole document behind it.

Baselines, on the same model: `first` (only the first native window), `last` (only the last window),
`mapreduce` (summarise every window-sized chunk, then summarise the summaries; the chunk summaries
grow with the input, which is what the streaming strategy avoids).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from infinicli.config import EngineConfig, SegmentStats
from infinicli.engine import InfiniModel, batched
from infinicli.tokenizer import Tokenizer

STRATEGIES = ("infini", "first", "last", "mapreduce")
FANOUT = 2
STRETCH = 1024  # tokens per note; also the carried window while summarising
# (note tokens, summary tokens) per --length
LENGTHS = {"short": (48, 120), "medium": (64, 220), "long": (80, 400)}

NOTE_PROMPT = ("Summarize the passage above in two sentences. Name the people, places and events "
               "it mentions.")
MERGE_PROMPT = ("Combine these notes on consecutive parts of a text into one short note that keeps "
                "every name and event:\n\n{notes}")
FINAL_PROMPT = ("Here are notes on a long text, in reading order:\n\n{notes}\n\nWrite a {length} "
                "summary of the whole text. Name the main people, places and events.")
CHUNK_PROMPT = "Summarize the text above. Name the people, places and events it mentions."


@dataclass(slots=True)
class NoteStack:
    """Notes by level; adding one may merge a full level into a single note one level up."""

    merge: Callable[[list[str]], str]
    levels: list[list[str]] = field(default_factory=list)
    written: int = 0  # notes and merges produced, for the record
    most_held: int = 0  # the largest number of notes held at once

    def add(self, note: str, level: int = 0) -> None:
        while len(self.levels) <= level:
            self.levels.append([])
        self.levels[level].append(note)
        self.written += 1
        self.most_held = max(self.most_held, self.held)
        if len(self.levels[level]) == FANOUT:
            merged = self.merge(self.levels[level])
            self.levels[level] = []
            self.add(merged, level + 1)

    @property
    def held(self) -> int:
        return sum(len(x) for x in self.levels)

    def in_order(self) -> list[str]:
        """Held notes, oldest first: higher levels cover earlier stretches."""
        return [n for level in reversed(self.levels) for n in level]


def _bullets(notes: Iterable[str]) -> str:
    return "\n".join(f"- {n}" for n in notes)


def _ask(engine: InfiniModel, tok: Tokenizer, instruction: str, max_tokens: int) -> str:
    ids = engine.generate(tok.chat(instruction), max_tokens, tok.stop_ids)
    return tok.decode(ids).strip()


@dataclass(slots=True)
class SummaryResult:
    summary: str
    notes: list[str]
    notes_written: int
    most_notes_held: int
    tokens: int
    strategy: str


def summarize_streaming(engine: InfiniModel, tok: Tokenizer, tokens: Iterable[int], length: str,
                        on_segment: Callable[[SegmentStats], None] | None = None,
                        total_tokens: int | None = None) -> SummaryResult:
    note_tokens, summary_tokens = LENGTHS[length]
    stack = NoteStack(merge=lambda notes: _ask(engine, tok, MERGE_PROMPT.format(notes=_bullets(notes)),
                                               note_tokens))
    since_note = 0

    def after_segment(stats: SegmentStats) -> None:
        nonlocal since_note
        since_note += stats.tokens
        if on_segment is not None:
            on_segment(stats)
        if since_note >= STRETCH:
            stack.add(_ask(engine, tok, NOTE_PROMPT, note_tokens))
            since_note = 0

    engine.reset()
    engine.set_probe(None)
    engine.read(tokens, total_tokens=total_tokens, reserve=summary_tokens + 256, on_segment=after_segment)
    if since_note:
        stack.add(_ask(engine, tok, NOTE_PROMPT, note_tokens))
    held = stack.in_order()
    prompt = FINAL_PROMPT.format(notes=_bullets(held), length=length)
    summary = _ask(engine, tok, prompt, summary_tokens)
    return SummaryResult(summary, held, stack.written, stack.most_held, engine.state.tokens, "infini")


def summarize_from_state(engine: InfiniModel, tok: Tokenizer, length: str) -> SummaryResult:
    """A summary from a saved state alone (no notes were kept while reading)."""
    _, summary_tokens = LENGTHS[length]
    summary = _ask(engine, tok, f"Write a {length} summary of the text above. Name the main people, "
                                "places and events.", summary_tokens)
    return SummaryResult(summary, [], 0, 0, engine.state.tokens, "infini (saved state)")


def summarize_baseline(engine: InfiniModel, tok: Tokenizer, tokens: Iterable[int], strategy: str,
                       length: str, on_segment: Callable[[SegmentStats], None] | None = None
                       ) -> SummaryResult:
    """first / last / mapreduce, each with exact attention inside the native context."""
    note_tokens, summary_tokens = LENGTHS[length]
    window = engine.native_context - summary_tokens - 512  # room for the prompt and the answer
    exact = EngineConfig.for_method("full", segment=engine.config.segment, adaptive=False)

    def summarise(block: list[int], instruction: str, max_tokens: int) -> str:
        engine.reset(exact)
        engine.read(block, on_segment=on_segment)
        return _ask(engine, tok, instruction, max_tokens)

    instruction = f"Write a {length} summary of the text above. Name the main people, places and events."
    total = 0
    if strategy == "first":
        block = next(batched(iter(tokens), window))
        return SummaryResult(summarise(block, instruction, summary_tokens), [], 0, 0, len(block), strategy)
    if strategy == "last":
        last: list[int] = []
        for block in batched(iter(tokens), window):  # keep only the last full window
            last = (last + block)[-window:]
            total += len(block)
        return SummaryResult(summarise(last, instruction, summary_tokens), [], 0, 0, total, strategy)
    notes = []
    for block in batched(iter(tokens), window):
        notes.append(summarise(block, CHUNK_PROMPT, note_tokens))
        total += len(block)
    engine.reset(exact)
    summary = _ask(engine, tok, FINAL_PROMPT.format(notes=_bullets(notes), length=length), summary_tokens)
    return SummaryResult(summary, notes, len(notes), len(notes), total, strategy)
