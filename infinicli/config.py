"""Engine configuration: one dataclass, validated once, and the four methods as presets of it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

import torch

from infinicli.errors import InfiniError

METHODS = ("full", "window", "infini", "infini+recall")
RULES = ("delta", "linear")
SCORES = ("auto", "probe", "residual")
SUPPORTED_ARCHITECTURES = ("llama", "mistral", "qwen2", "qwen3")
# Bounds that refuse an absurd option before anything is allocated: a segment, window, sink or pool
# of exact K/V beyond 2^20 tokens (already ~48 GB for the default 135M model) is a typo, not a setting.
MOST_EXACT_TOKENS = 1 << 20
MOST_POOL_BLOCKS = 1 << 16


@dataclass(slots=True)
class EngineConfig:
    """How the engine reads. `window=None` means unbounded (the ordinary KV cache)."""

    method: str = "infini+recall"
    segment: int = 512  # tokens per segment
    memory: bool = True  # compressive memory (M, z) on or off
    window: int | None = 512  # carried window of exact KV, in tokens
    pool_blocks: int = 16  # recall pool capacity, in blocks (0 = off)
    block: int = 64  # recall pool block size, in tokens
    sink: int = 64  # first tokens of the input kept for good (attention sink); 0 = off
    rule: str = "delta"  # memory update rule
    gate_beta: float = -3.0  # memory gate logit per head when no trained gates are loaded
    score: str = "auto"  # pool scoring: the question's probe when one is set, else residual
    probe_heads: int = 0  # heads whose probe attention scores the pool: the N best retrieval heads; 0 = all
    answer_blocks: int = 8  # a question-scored pool: the answer reads its N best blocks only; 0 = all
    eps: float = 1e-6
    adaptive: bool = True  # inputs that fit the native context run exact attention

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InfiniError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        if self.rule not in RULES:
            raise InfiniError(f"unknown update rule {self.rule!r}; choose delta or linear")
        if self.score not in SCORES:
            raise InfiniError(f"unknown pool score {self.score!r}; choose auto, probe or residual")
        if self.segment < 1:
            raise InfiniError("--segment must be at least 1 token")
        if self.window is not None and self.window < 0:
            raise InfiniError("--window must be 0 or more tokens")
        if self.probe_heads < 0 or self.answer_blocks < 0:
            raise InfiniError("--probe-heads and --answer-blocks must be 0 (every one) or more")
        if self.pool_blocks < 0 or self.block < 1 or self.sink < 0:
            raise InfiniError("pool size and sink must be 0 or more, block size at least 1")
        if self.pool_blocks > MOST_POOL_BLOCKS:
            raise InfiniError(f"--pool of {self.pool_blocks:,} blocks is more than the {MOST_POOL_BLOCKS:,} allowed")
        for name, tokens in (("--segment", self.segment), ("--window", self.window or 0), ("--block", self.block),
                             ("the sink", self.sink)):
            if tokens > MOST_EXACT_TOKENS:
                raise InfiniError(f"{name} of {tokens:,} tokens is more than the {MOST_EXACT_TOKENS:,} allowed")
        if self.pool_blocks * self.block > MOST_EXACT_TOKENS:
            raise InfiniError(f"a recall pool of {self.pool_blocks:,} blocks of {self.block:,} tokens holds more "
                              f"than the {MOST_EXACT_TOKENS:,} tokens allowed")
        if not math.isfinite(self.gate_beta):
            raise InfiniError(f"--gate must be a finite number, got {self.gate_beta}")

    @classmethod
    def for_method(cls, method: str, **overrides) -> EngineConfig:
        """The table in DESIGN.md section 3: each method is a setting of the same engine."""
        presets = {
            "full": dict(memory=False, window=None, pool_blocks=0, sink=0),
            "window": dict(memory=False, pool_blocks=0),
            "infini": dict(memory=True, pool_blocks=0),  # the sink stays: without it the window loses its footing
            "infini+recall": dict(memory=True),
        }
        if method not in presets:
            raise InfiniError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        settings = {**presets[method], **{k: v for k, v in overrides.items() if v is not None}}
        return cls(method=method, **settings)

    def with_(self, **changes) -> EngineConfig:
        return replace(self, **changes)


@dataclass(slots=True)
class SegmentStats:
    """What the engine reports after each segment; the UI renders it, --json serialises it."""

    index: int  # 1-based
    total: int | None  # segments expected, when known
    tokens: int  # tokens in this segment
    tokens_done: int  # tokens read so far
    seconds: float  # wall time of this segment (probe included)
    tokens_per_s: float  # over the whole read so far
    memory_bytes: int  # compressive memory M and z
    window_tokens: int
    window_capacity: int | None
    pool_tokens: int
    pool_capacity: int
    state_bytes: int  # everything the state holds: memory, window, sink, pool
    peak_rss_mb: float
    mode: str = field(default="")  # the method that ran
    # the question's score for each token of this segment (set_probe), when one was probed: what
    # the evidence for an answer is chosen by; not part of the progress record
    scores: torch.Tensor | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        """The progress record (without the per-token scores)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "scores"}
