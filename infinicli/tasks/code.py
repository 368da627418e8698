"""A repository read file by file through the engine, then an overview or an answer about it.

Each file is streamed with a header naming its path, so the memory and the recall pool hold code
together with where it lives; the question, when given, steers the pool while reading, scored
against a generic question so that what every question attends to in code does not decide. The
files an answer relies on are the files of the blocks the recall pool holds when it is asked,
ranked by those scores.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from infinicli.config import SegmentStats
from infinicli.engine import InfiniModel
from infinicli.sources.repo import RepoScan, iter_repo_chunks
from infinicli.tasks import ask, reading
from infinicli.tokenizer import Tokenizer

OVERVIEW = ("Describe the codebase above: what it is for, its main parts, and which files each part "
            "lives in.")
TOP_FILES = 3


def read_repo(engine: InfiniModel, tok: Tokenizer, scan: RepoScan, question: str | None,
              total_tokens: int, on_segment: Callable[[SegmentStats], None] | None = None,
              answer_tokens: int = 96, spans: list[tuple[int, str]] | None = None) -> reading.Reading:
    """Stream every file; `spans` collects where each file's tokens start (for recalled_files)."""
    probe = ask.prompt_ids(tok, question) if question else None
    return reading.read(engine, tok, str(scan.root), iter_repo_chunks(scan), probe,
                        reserve=(len(probe) if probe else 64) + answer_tokens, on_segment=on_segment,
                        total_tokens=total_tokens, spans=spans,
                        baseline=ask.prompt_ids(tok, ask.BASELINE_QUESTION))


def recalled_files(engine: InfiniModel, spans: list[tuple[int, str]], top: int = TOP_FILES) -> list[str]:
    """The files whose blocks the recall pool holds, by the summed score of their blocks, best first."""
    blocks = engine.state.pool.blocks_held()
    if not spans or not blocks:
        return []
    starts = [s for s, _ in spans]
    score: dict[str, float] = {}
    for block in blocks:
        origin = spans[bisect.bisect_right(starts, block["position"]) - 1][1]
        if origin:
            score[origin] = score.get(origin, 0.0) + block["score"]
    return sorted(score, key=lambda f: -score[f])[:top]


def respond(engine: InfiniModel, tok: Tokenizer, question: str | None, max_tokens: int = 96) -> str:
    """The answer to the question (its first line), or an overview of the codebase."""
    if question:
        return ask.answer(engine, tok, question, max_tokens)
    out = engine.generate(tok.chat(OVERVIEW), max_tokens, tok.stop_ids)
    return tok.decode(out).strip()
