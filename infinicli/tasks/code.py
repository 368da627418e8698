"""A repository read file by file through the engine, then an overview or an answer about it.

Each file is streamed with a header naming its path, so the memory and the recall pool hold code
together with where it lives; the question, when given, steers the pool while reading, scored
against a generic question so that what every question attends to in code does not decide.

An answer is given in two parts. First the lines of code the question attends to most in the state
after reading (ask.quotes: the retrieval heads' attention), each with its file and line number. Then
the model's answer, written from those lines alone: on the ten questions in samples/code/ the small
default model answered 3 right this way, none when it answered from the whole pool and window.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from infinicli.config import SegmentStats
from infinicli.engine import InfiniModel
from infinicli.sources.repo import RepoScan, file_chunk, file_header, iter_repo_chunks
from infinicli.tasks import ask, reading
from infinicli.tokenizer import Tokenizer

OVERVIEW = ("Describe the codebase above: what it is for, its main parts, and which files each part "
            "lives in.")
TOP_FILES = 3
QUOTE_CHARS = 240  # a quoted line is cut here (minified code has lines of thousands of characters)


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


def cite(engine: InfiniModel, tok: Tokenizer, scan: RepoScan, spans: list[tuple[int, str]],
         k: int = ask.QUOTES) -> list[dict]:
    """The k lines of code the question attends to most, best first: file, line number, the whole
    line as the file has it, and the score. Header lines (a file's name only) are not quoted."""
    starts = [s for s, _ in spans]
    files = {f.path: f for f in scan.files}
    encoded: dict[str, tuple[list[int], list[str]]] = {}
    out: list[dict] = []
    for quote in ask.quotes(engine, tok, None):
        n = bisect.bisect_right(starts, quote.position) - 1
        file = files.get(spans[n][1]) if n >= 0 else None
        if file is None:
            continue
        if file.path not in encoded:
            text = file_chunk(scan, file).text
            encoded[file.path] = (tok.encode(text), text[len(file_header(file)):].splitlines())
        ids, lines = encoded[file.path]
        before = tok.decode(ids[: quote.position - spans[n][0]])
        line = before.count("\n") - file_header(file).count("\n") + 1
        if not 1 <= line <= len(lines) or any(c["path"] == file.path and c["line"] == line for c in out):
            continue
        out.append({"path": file.path, "line": line, "text": lines[line - 1].strip()[:QUOTE_CHARS],
                    "score": round(quote.score, 4)})
        if len(out) == k:
            break
    return out


def evidence_lines(cited: list[dict]) -> list[str]:
    """The quoted lines in file and line order, as `path:line: code` (grep's form)."""
    return [f"{c['path']}:{c['line']}: {c['text']}" for c in sorted(cited, key=lambda c: (c["path"], c["line"]))]


def answer(engine: InfiniModel, tok: Tokenizer, question: str, scan: RepoScan, spans: list[tuple[int, str]],
           max_tokens: int = 96) -> tuple[str, list[dict]]:
    """The answer to a question about the repository just read, and the lines it was written from.

    The state is replaced by the quoted lines: call this last."""
    cited = cite(engine, tok, scan, spans)
    if not cited:
        return ask.answer(engine, tok, question, max_tokens), []
    return ask.answer_from(engine, tok, question, evidence_lines(cited), max_tokens), cited


def overview(engine: InfiniModel, tok: Tokenizer, max_tokens: int = 96) -> str:
    """An overview of the codebase just read."""
    out = engine.generate(tok.chat(OVERVIEW), max_tokens, tok.stop_ids)
    return tok.decode(out).strip()
