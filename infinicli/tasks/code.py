"""A repository read file by file through the engine, then an overview or an answer about it.

Each file is streamed with a header naming its path, so the memory and the recall pool hold code
together with where it lives; the question, when given, steers the pool while reading.
"""

from __future__ import annotations

from collections.abc import Callable

from infinicli.config import SegmentStats
from infinicli.engine import InfiniModel
from infinicli.sources.repo import RepoScan, iter_repo_chunks
from infinicli.tasks import ask, reading
from infinicli.tokenizer import Tokenizer

OVERVIEW = ("Describe the codebase above: what it is for, its main parts, and which files each part "
            "lives in.")
QUESTION_SUFFIX = " Name the file it is in."


def question_text(question: str) -> str:
    return question.strip() + QUESTION_SUFFIX


def read_repo(engine: InfiniModel, tok: Tokenizer, scan: RepoScan, question: str | None,
              total_tokens: int, on_segment: Callable[[SegmentStats], None] | None = None,
              answer_tokens: int = 96) -> reading.Reading:
    probe = ask.prompt_ids(tok, question_text(question)) if question else None
    return reading.read(engine, tok, str(scan.root), iter_repo_chunks(scan), probe,
                        reserve=(len(probe) if probe else 64) + answer_tokens, on_segment=on_segment,
                        total_tokens=total_tokens)


def respond(engine: InfiniModel, tok: Tokenizer, question: str | None, max_tokens: int = 96) -> str:
    if question:
        return ask.answer(engine, tok, question_text(question), max_tokens)
    out = engine.generate(tok.chat(OVERVIEW), max_tokens, tok.stop_ids)
    return tok.decode(out).strip()
