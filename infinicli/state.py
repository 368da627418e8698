"""What a segment leaves behind, for every layer: compressive memory, carried window, sink, recall pool.

All of it is preallocated at its capacity, so the state's size does not depend on how much was read
(the `full` method, an unbounded window, is the one exception by definition). K and V are kept
pre-RoPE: positions are given afresh to each segment's local span.
Shapes: L layers, H KV heads, d head dim, n tokens: K/V buffers are (L, H, n, d).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch


def _nbytes(*tensors: torch.Tensor) -> int:
    return sum(t.numel() * t.element_size() for t in tensors)


@dataclass(slots=True)
class Evicted:
    """Tokens pushed out of the window, oldest first, with their absolute positions and scores."""

    k: torch.Tensor  # (L, H, n, d)
    v: torch.Tensor
    pos: torch.Tensor  # (n,) absolute token positions
    score: torch.Tensor  # (n,)
    ids: torch.Tensor  # (n,) token ids (-1 where unknown), so what is recalled can be shown as text

    def select(self, mask: torch.Tensor) -> Evicted:
        return Evicted(self.k[:, :, mask], self.v[:, :, mask], self.pos[mask], self.score[mask], self.ids[mask])


class CompressiveMemory:
    """M and z per layer, (H, d, d) and (H, d), float32, zero at the start (the paper's section 2.1.2).

    One tensor per layer, replaced (not written into) at each write: so inference and training share
    this class, and gradients flow through a training read's every write."""

    def __init__(self, layers: int, heads: int, dim: int) -> None:
        self.M = [torch.zeros(heads, dim, dim) for _ in range(layers)]
        self.z = [torch.zeros(heads, dim) for _ in range(layers)]
        self.writes = 0  # segments written; the memory is read only once it is non-empty

    @property
    def empty(self) -> bool:
        return self.writes == 0

    @property
    def nbytes(self) -> int:
        return _nbytes(*self.M, *self.z)


class KVWindow:
    """The last `capacity` tokens' K/V: a fixed buffer, or unbounded when capacity is None (`full`)."""

    def __init__(self, layers: int, heads: int, dim: int, capacity: int | None, dtype: torch.dtype) -> None:
        self.capacity = capacity
        n = capacity or 0
        self.k = torch.zeros(layers, heads, n, dim, dtype=dtype)
        self.v = torch.zeros_like(self.k)
        self.pos = torch.zeros(n, dtype=torch.long)
        self.score = torch.zeros(n)
        self.ids = torch.full((n,), -1, dtype=torch.long)
        self.size = 0

    def layer(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.k[i, :, : self.size], self.v[i, :, : self.size]

    def scores(self) -> torch.Tensor:
        return self.score[: self.size]

    def push(self, k: torch.Tensor, v: torch.Tensor, pos: torch.Tensor, score: torch.Tensor,
             ids: torch.Tensor) -> Evicted:
        """Append tokens (oldest first); return what no longer fits, oldest first."""
        all_k = torch.cat([self.k[:, :, : self.size], k], dim=2)
        all_v = torch.cat([self.v[:, :, : self.size], v], dim=2)
        all_pos = torch.cat([self.pos[: self.size], pos])
        all_score = torch.cat([self.score[: self.size], score.float()])
        all_ids = torch.cat([self.ids[: self.size], ids])
        if self.capacity is None:
            self.k, self.v, self.pos, self.score, self.ids = all_k, all_v, all_pos, all_score, all_ids
            self.size = all_pos.numel()
            return Evicted(all_k[:, :, :0], all_v[:, :, :0], all_pos[:0], all_score[:0], all_ids[:0])
        n_out = max(0, all_pos.numel() - self.capacity)
        self.size = all_pos.numel() - n_out
        self.k[:, :, : self.size] = all_k[:, :, n_out:]
        self.v[:, :, : self.size] = all_v[:, :, n_out:]
        self.pos[: self.size] = all_pos[n_out:]
        self.score[: self.size] = all_score[n_out:]
        self.ids[: self.size] = all_ids[n_out:]
        return Evicted(all_k[:, :, :n_out], all_v[:, :, :n_out], all_pos[:n_out], all_score[:n_out],
                       all_ids[:n_out])

    @property
    def nbytes(self) -> int:
        return _nbytes(self.k, self.v, self.pos, self.score, self.ids)


class RecallPool:
    """At most `blocks` blocks of exact K/V from anywhere earlier in the input, plus the sink.

    The sink is the input's first `sink` tokens, kept for good once they leave the window. Pool blocks
    compete on a score (probe attention mass or delta-rule novelty); the best `blocks` stay, kept in
    input order.
    """

    def __init__(self, layers: int, heads: int, dim: int, blocks: int, block: int, sink: int,
                 dtype: torch.dtype) -> None:
        self.blocks, self.block = blocks, block
        cap = blocks * block
        self.k = torch.zeros(layers, heads, cap, dim, dtype=dtype)
        self.v = torch.zeros_like(self.k)
        self.pos = torch.zeros(cap, dtype=torch.long)
        self.ids = torch.full((cap,), -1, dtype=torch.long)
        self.block_len: list[int] = []  # tokens in each kept block, in input order
        self.block_score: list[float] = []
        self.sink_k = torch.zeros(layers, heads, sink, dim, dtype=dtype)
        self.sink_v = torch.zeros_like(self.sink_k)
        self.sink_size = 0

    @property
    def size(self) -> int:
        return sum(self.block_len)

    @property
    def capacity(self) -> int:
        return self.blocks * self.block

    def layer(self, i: int, index: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Sink then pool, for layer i: (H, n, d) each; `index` picks some pool tokens (best_index)."""
        (sk, sv), (k, v) = self.parts(i, index)
        return torch.cat([sk, k], dim=1), torch.cat([sv, v], dim=1)

    def parts(self, i: int, index: torch.Tensor | None = None) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """layer()'s two parts, the sink's keys and values and the pool's, not joined."""
        n, s = self.size, self.sink_size
        k, v = self.k[i, :, :n], self.v[i, :, :n]
        if index is not None:
            k, v = k[:, index], v[:, index]
        return [(self.sink_k[i, :, :s], self.sink_v[i, :, :s]), (k, v)]

    def best_blocks(self, k: int) -> list[int]:
        """The numbers (input order) of the k best-scored kept blocks; all of them when k is 0."""
        every = range(len(self.block_len))
        if k <= 0 or k >= len(self.block_len):
            return list(every)
        return sorted(sorted(every, key=lambda b: -self.block_score[b])[:k])

    def best_index(self, k: int) -> torch.Tensor | None:
        """Pool token indices of the k best-scored blocks, in input order; None: every block."""
        blocks = self.best_blocks(k)
        if len(blocks) == len(self.block_len):
            return None
        starts = [0, *itertools.accumulate(self.block_len)]
        return torch.cat([torch.arange(starts[b], starts[b + 1]) for b in blocks])

    def admit(self, ev: Evicted, pool_scores: torch.Tensor | None, reduce: str) -> None:
        """Offer evicted tokens: the first go to the sink, the rest compete as blocks for the pool.

        pool_scores, when given, re-scores the blocks already kept (per token, pool order); otherwise
        their earlier scores stand. `reduce` turns token scores into a block score: sum or mean.
        """
        to_sink = ev.pos < self.sink_k.shape[2]
        if bool(to_sink.any()):
            idx = to_sink.nonzero().squeeze(1)
            n = idx.numel()
            self.sink_k[:, :, self.sink_size: self.sink_size + n] = ev.k[:, :, idx]
            self.sink_v[:, :, self.sink_size: self.sink_size + n] = ev.v[:, :, idx]
            self.sink_size += n
            ev = ev.select(~to_sink)
        if self.blocks == 0 or ev.pos.numel() == 0:
            return
        agg = torch.sum if reduce == "sum" else torch.mean
        if pool_scores is not None:
            parts = torch.split(pool_scores, self.block_len)
            self.block_score = [float(agg(p)) for p in parts]
        # Candidates: the blocks already kept, then the evicted tokens grouped by aligned block id.
        n = self.size
        cand_k, cand_v, cand_pos, cand_ids = [self.k[:, :, :n]], [self.v[:, :, :n]], [self.pos[:n]], [self.ids[:n]]
        spans: list[tuple[int, int, float]] = []  # (start in candidate tokens, length, score)
        start = 0
        for length, score in zip(self.block_len, self.block_score):
            spans.append((start, length, score))
            start += length
        ids = torch.div(ev.pos, self.block, rounding_mode="floor")
        _, counts = torch.unique_consecutive(ids, return_counts=True)
        for part_score, length in zip(torch.split(ev.score, counts.tolist()), counts.tolist()):
            spans.append((start, length, float(agg(part_score))))
            start += length
        cand_k.append(ev.k), cand_v.append(ev.v), cand_pos.append(ev.pos), cand_ids.append(ev.ids)
        all_k, all_v, all_pos = torch.cat(cand_k, 2), torch.cat(cand_v, 2), torch.cat(cand_pos)
        all_ids = torch.cat(cand_ids)
        best = sorted(sorted(range(len(spans)), key=lambda i: -spans[i][2])[: self.blocks])  # input order
        index = torch.cat([torch.arange(spans[i][0], spans[i][0] + spans[i][1]) for i in best])
        m = index.numel()
        self.k[:, :, :m] = all_k[:, :, index]
        self.v[:, :, :m] = all_v[:, :, index]
        self.pos[:m] = all_pos[index]
        self.ids[:m] = all_ids[index]
        self.block_len = [spans[i][1] for i in best]
        self.block_score = [spans[i][2] for i in best]

    @property
    def nbytes(self) -> int:
        return _nbytes(self.k, self.v, self.pos, self.ids, self.sink_k, self.sink_v)

    def blocks_held(self) -> list[dict]:
        """The kept blocks in input order: first position, length, score and token ids."""
        out, first = [], 0
        for length, score in zip(self.block_len, self.block_score):
            out.append({"position": int(self.pos[first]), "tokens": length, "score": score,
                        "ids": self.ids[first: first + length].tolist()})
            first += length
        return out


class InfiniState:
    """Everything the engine carries from one segment to the next, for all layers."""

    def __init__(self, layers: int, heads: int, dim: int, window: int | None, pool_blocks: int,
                 block: int, sink: int, dtype: torch.dtype = torch.float32) -> None:
        self.memory = CompressiveMemory(layers, heads, dim)
        self.window = KVWindow(layers, heads, dim, window, dtype)
        self.pool = RecallPool(layers, heads, dim, pool_blocks, block, sink, dtype)
        self.tokens = 0  # tokens read so far

    def prefix(self, i: int, recall_last: bool = False, pool_index: torch.Tensor | None = None
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """Layer i's carried K/V in span order: [sink | pool | window], or [sink | window | pool].

        Reading keeps the window next to the segment it continues; a question may put the recalled
        blocks nearest to itself instead, and attend to some of them only (pool_index).
        """
        parts = self.prefix_parts(i, recall_last, pool_index)
        return torch.cat([k for k, _ in parts], dim=1), torch.cat([v for _, v in parts], dim=1)

    def prefix_parts(self, i: int, recall_last: bool = False, pool_index: torch.Tensor | None = None
                     ) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """prefix() as its parts' keys and values, not joined: for a caller that copies them into a buffer
        of its own (engine.OpenSpan), joining them first would copy every key once more."""
        sink, pool = self.pool.parts(i, pool_index)
        window = self.window.layer(i)
        return [sink, window, pool] if recall_last else [sink, pool, window]

    @property
    def prefix_len(self) -> int:
        return self.pool.sink_size + self.pool.size + self.window.size

    @property
    def nbytes(self) -> int:
        return self.memory.nbytes + self.window.nbytes + self.pool.nbytes
