"""Reading a source into the engine: chunks -> tokens -> segments, with what the reading cost.

Shared by ask, read, summarize and code. A `.infini` file is a saved state (snapshot.py): loading it
replaces the reading.
"""

from __future__ import annotations

import collections
import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

from infinicli import snapshot, sources
from infinicli.config import EngineConfig, SegmentStats
from infinicli.engine import InfiniModel, peak_rss_mb
from infinicli.errors import InfiniError
from infinicli.model_store import ModelInfo
from infinicli.sources import Chunk, open_source
from infinicli.tokenizer import Tokenizer
from infinicli.tokens import Passage, token_stream


@dataclass(slots=True)
class Reading:
    """What was read and what it cost."""

    origin: str
    tokens: int
    segments: int
    seconds: float
    tokens_per_s: float
    peak_rss_mb: float
    mode: str
    state_bytes: int
    source_sha256: str
    from_snapshot: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def file_sha256(path: str) -> str:
    """sha256 of a file's bytes; empty for stdin and directories."""
    if path == "-" or os.path.isdir(path):
        return ""
    return sources.file_sha256(path)


def count_tokens(tok: Tokenizer, path: str, password: str | None = None) -> int | None:
    """The input's length in the model's tokens, by a quick pass over its text (seconds for a book),
    so the progress bar can show a total and an ETA; None for stdin, which can be read only once."""
    if path == "-":
        return None
    return sum(len(tok.encode(chunk.text)) for chunk in open_source(path, password, on_warning=lambda _: None))


def read(engine: InfiniModel, tok: Tokenizer, origin: str, chunks: Iterable[Chunk],
         question: list[int] | None, reserve: int,
         on_segment: Callable[[SegmentStats], None] | None = None,
         total_tokens: int | None = None, baseline: list[int] | None = None,
         on_passages: Callable[[list[Passage], SegmentStats], None] | None = None,
         by: str = "sentence") -> Reading:
    """Read a chunk stream into a fresh state; the question, if known, steers the recall pool.

    `baseline`, a generic question, makes the question's score contrastive (see
    InfiniModel.set_probe). `on_passages`, when given, gets after each segment the passage of each of
    its tokens (sentences, or lines with by="line") with the segment's stats, whose `scores` rate
    every token by the question: that is how evidence is chosen while the document streams past."""
    held: collections.deque[Passage] = collections.deque()  # passages of tokens read, not yet reported

    def ids() -> Iterator[int]:
        for tid, passage in token_stream(tok, chunks, by):
            held.append(passage)
            yield tid

    def after_segment(stats: SegmentStats) -> None:
        passages = [held.popleft() for _ in range(stats.tokens)]
        if on_passages is not None:
            on_passages(passages, stats)
        if on_segment is not None:
            on_segment(stats)

    return read_ids(engine, origin, ids(), question, reserve, after_segment, total_tokens, baseline,
                    every_segment=on_passages is not None, source_sha256=file_sha256(origin))


def choose_config(engine: InfiniModel, ids: Iterable[int], reserve: int) -> tuple[EngineConfig, str, Iterator[int]]:
    """The settings for one reading, and how to name them: the engine's configured ones, or, when they
    are adaptive and the whole input plus `reserve` tokens (prompt and answer) fits the model's native
    context, exact full attention. Returns the token stream to read (the tokens looked at, then the rest)."""
    cfg = engine.base_config
    it = iter(ids)
    if not cfg.adaptive or cfg.method == "full":
        return cfg, cfg.method, it
    budget = engine.native_context - reserve
    head = list(itertools.islice(it, max(budget, 0) + 1))
    if len(head) <= budget:
        return (EngineConfig.for_method("full", segment=cfg.segment, adaptive=False),
                f"full (adaptive: fits the {engine.native_context}-token context)", iter(head))
    return cfg, cfg.method, itertools.chain(head, it)


def read_ids(engine: InfiniModel, origin: str, ids: Iterable[int], question: list[int] | None, reserve: int,
             on_segment: Callable[[SegmentStats], None] | None = None, total_tokens: int | None = None,
             baseline: list[int] | None = None, every_segment: bool = False, source_sha256: str = "") -> Reading:
    """The reading loop every task shares: a fresh state, the question's probe set before the first
    token, the tokens read segment by segment (on_segment hears of each), and what it cost.
    `every_segment` probes each segment even without a pool, to rate its tokens (SegmentStats.scores)."""
    t0 = time.perf_counter()
    config, mode, ids = choose_config(engine, ids, reserve)
    engine.reset(config)
    engine.set_probe(question, baseline, every_segment=every_segment)
    engine.read(ids, total_tokens=total_tokens, on_segment=on_segment)
    if engine.state.tokens == 0:
        raise InfiniError(f"{origin} has no text to read")
    seconds = time.perf_counter() - t0
    return Reading(origin=origin, tokens=engine.state.tokens, segments=engine.segments,
                   seconds=round(seconds, 2), tokens_per_s=round(engine.state.tokens / seconds, 1),
                   peak_rss_mb=round(peak_rss_mb(), 1), mode=mode,
                   state_bytes=engine.state.nbytes, source_sha256=source_sha256)


def save(engine: InfiniModel, info: ModelInfo, reading: Reading, path: str, force: bool) -> int:
    """Save the state after a reading, with what it was made by and from; returns the file's size."""
    header = {"model": info.name, "model_sha256": info.sha256, "parameters": engine.parameters_id,
              "source": os.path.basename(reading.origin), "source_sha256": reading.source_sha256,
              "mode": reading.mode}
    return snapshot.save(engine, header, path, force)


def load(engine: InfiniModel, info: ModelInfo, path: str) -> Reading:
    """Restore a saved state into the engine (snapshot.load checks it first): the reading it stands for."""
    header = snapshot.load(engine, info, path)
    st = engine.state
    return Reading(origin=header["source"], tokens=st.tokens, segments=0, seconds=0.0, tokens_per_s=0.0,
                   peak_rss_mb=round(peak_rss_mb(), 1), mode=header["mode"], state_bytes=st.nbytes,
                   source_sha256=header["source_sha256"], from_snapshot=True)
