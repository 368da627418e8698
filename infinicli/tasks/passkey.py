"""The passkey test of Landmark attention and llama.cpp's passkey example, through the engine."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch

from infinicli import reading
from infinicli.config import SegmentStats
from infinicli.engine import InfiniModel, peak_rss_mb
from infinicli.errors import InfiniError
from infinicli.tokenizer import Tokenizer

PREFIX = ("There is an important info hidden inside a lot of irrelevant text. Find it and memorize "
          "them. I will quiz you about the important information there.")
FILLER = " The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again."
NEEDLE = " The pass key is {key}. Remember it. {key} is the pass key."
QUESTION = " What is the pass key? The pass key is"
ANSWER_TOKENS = 8
MOST_TOKENS = 10_000_000  # a longer haystack is a typo (at this length its token list alone is ~0.4 GB)


@dataclass(slots=True)
class Haystack:
    ids: list[int]  # everything before the question
    question: list[int]
    needle_at: int  # token index where the needle starts
    key: int
    needle_tokens: int  # the needle's length in tokens


def build(tok: Tokenizer, length: int, depth: float, key: int) -> Haystack:
    """A haystack of about `length` tokens (question included), the needle at `depth` (0..1).

    Pieces are tokenized separately and concatenated, as llama.cpp's passkey example does.
    """
    if not 0.0 <= depth <= 1.0:
        raise InfiniError(f"--depth must be between 0 and 1, got {depth}")
    prefix, filler = tok.encode(PREFIX), tok.encode(FILLER)
    needle, question = tok.encode(NEEDLE.format(key=key)), tok.encode(QUESTION)
    room = length - len(prefix) - len(needle) - len(question)
    n = room // len(filler)
    if n < 1:  # the template needs at least one filler after the needle
        raise InfiniError(f"--length must be at least {length - room + len(filler)} tokens for the passkey template")
    # As in llama.cpp's example, the needle goes before one of the n fillers, so at least one filler
    # follows it: a needle right before the question makes the model repeat the question instead.
    before = round(depth * (n - 1))
    ids = prefix + filler * before
    needle_at = len(ids)
    ids += needle + filler * (n - before)
    return Haystack(ids, question, needle_at, key, len(needle))


@dataclass(slots=True)
class Trial:
    key: int
    answer: str
    correct: bool
    tokens: int
    segments: int
    seconds: float
    tokens_per_s: float
    peak_rss_mb: float
    depth: float
    needle_at: int
    mode: str
    final_segment: dict | None = None  # the last SegmentStats of the read, as a dict
    needle_kept: dict | None = None  # where the needle's tokens are held when the question comes
    threads: int = 0  # torch's intra-op threads: the speed depends on them (OMP_NUM_THREADS)

    def as_dict(self) -> dict:
        return asdict(self)


def needle_kept(engine: InfiniModel, start: int, length: int) -> dict:
    """How many of the needle's tokens the state holds exactly when the question is asked: in the
    window, the sink or the recall pool (the rest live only in the compressive memory, if at all).
    Tells a found key read from the last segments apart from one the pool recalled."""
    st = engine.state
    needle = torch.arange(start, start + length)
    window = st.window.pos[: st.window.size]
    pool = st.pool.pos[: st.pool.size]
    return {"tokens": length,
            "window": int(torch.isin(needle, window).sum()),
            "sink": int((needle < st.pool.sink_size).sum()),
            "pool": int(torch.isin(needle, pool).sum())}


def first_integer(text: str) -> int | None:
    m = re.search(r"\d+", text)
    return int(m.group()) if m else None


def run_trial(engine: InfiniModel, tok: Tokenizer, length: int, depth: float, key: int,
              on_segment: Callable[[SegmentStats], None] | None = None) -> Trial:
    hay = build(tok, length, depth, key)
    t0 = time.perf_counter()
    last: list[SegmentStats] = []

    def record(stats: SegmentStats) -> None:
        last[:] = [stats]
        if on_segment is not None:
            on_segment(stats)

    # the question is known before reading: it steers the recall pool
    done = reading.read_ids(engine, "passkey haystack", hay.ids, hay.question, len(hay.question) + ANSWER_TOKENS,
                            record, len(hay.ids))
    kept = needle_kept(engine, hay.needle_at, hay.needle_tokens)
    answer_ids = engine.generate(hay.question, ANSWER_TOKENS, tok.stop_ids)
    seconds = time.perf_counter() - t0
    answer = tok.decode(answer_ids).strip()
    tokens = len(hay.ids) + len(hay.question)
    return Trial(key=key, answer=answer, correct=first_integer(answer) == key, tokens=tokens,
                 segments=engine.segments, seconds=round(seconds, 2),
                 tokens_per_s=round(tokens / seconds, 1), peak_rss_mb=round(peak_rss_mb(), 1),
                 depth=depth, needle_at=hay.needle_at, mode=done.mode,
                 final_segment=last[0].as_dict() if last else None, needle_kept=kept,
                 threads=torch.get_num_threads())


def keys(seed: int, trials: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(10000, 99999) for _ in range(trials)]


def check_options(length: int, depth: float, trials: int) -> None:
    """Refuse options no trial can run with (before the model is loaded)."""
    if length < 1 or trials < 1:
        raise InfiniError("--length and --trials must be positive")
    if length > MOST_TOKENS:
        raise InfiniError(f"--length of {length:,} tokens is more than the {MOST_TOKENS:,} a passkey trial reads")
    if not 0.0 <= depth <= 1.0:
        raise InfiniError(f"--depth must be between 0 and 1, got {depth}")


@dataclass(slots=True)
class PasskeyResult:
    """Trials at one length and depth: what `infini passkey --json` prints and the bench's cells keep."""

    length: int
    depth: float
    segment: int
    trials: list[Trial]
    state_bytes: int

    @property
    def accuracy(self) -> float:
        return sum(t.correct for t in self.trials) / len(self.trials)

    def as_dict(self) -> dict:
        seconds = sum(t.seconds for t in self.trials)
        tokens = sum(t.tokens for t in self.trials)
        return {"accuracy": self.accuracy, "length": self.length, "depth": self.depth,
                "method": self.trials[-1].mode, "segment": self.segment,
                "trials": [t.as_dict() for t in self.trials],
                "tokens_per_s": round(tokens / seconds, 1) if seconds else 0.0,
                "peak_rss_mb": max(t.peak_rss_mb for t in self.trials), "state_bytes": self.state_bytes}


def run(engine: InfiniModel, tok: Tokenizer, length: int, depth: float = 0.5, trials: int = 1, seed: int = 0,
        on_trial: Callable[[int, int], Callable[[SegmentStats], None] | None] | None = None,
        on_done: Callable[[int, Trial], None] | None = None) -> PasskeyResult:
    """`trials` pass keys (seeded) hidden at `depth` in about `length` tokens, each asked for back.
    on_trial(i, key) may return the segment callback for trial i; on_done(i, trial) hears each result."""
    check_options(length, depth, trials)
    done = []
    for i, key in enumerate(keys(seed, trials), 1):
        trial = run_trial(engine, tok, length, depth, key, on_segment=on_trial(i, key) if on_trial else None)
        done.append(trial)
        if on_done is not None:
            on_done(i, trial)
    return PasskeyResult(length, depth, engine.config.segment, done, engine.state.nbytes)
