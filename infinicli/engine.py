"""InfiniModel: a Hugging Face Llama-family model reading segment by segment with bounded state.

The model's own modules do all the work; only each attention module's forward is swapped, and only
while the engine runs, for `_attention` below. Three ways a forward can run:
  segment: read the memory, attend over [sink | pool | window | segment], write the memory.
  probe:   the question's tokens after [sink | pool | window | segment]; nothing is written, the
           attention mass each carried or new token receives is summed (it scores the recall pool).
  open:    prompt and generated tokens; they read the memory and attend with their own KV cache.
           The carried K/V is roped once per layer when an open run starts (OpenSpan), not per token.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import hashlib
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from pathlib import Path

import torch

from infinicli import kernel
from infinicli.attention import gate, gate_mix, local_attention, memory_read_out, memory_write, novelty, read_out
from infinicli.config import SUPPORTED_ARCHITECTURES, EngineConfig, SegmentStats
from infinicli.errors import ModelError
from infinicli.state import InfiniState

PROBE_DISTANCE = 64  # tokens between a scored block and the probe, the same for every block


class _Mode(Enum):
    SEGMENT = "segment"
    PROBE = "probe"
    OPEN = "open"


def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _malloc_trim() -> Callable[[], object]:
    """glibc's malloc_trim, or a no-op where there is none (macOS, musl)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: trim(0)


# Each segment frees tensors of many sizes; glibc keeps the freed pages in its arenas, and on some
# inputs (the R manual, 85 pages) RSS grew from 1.2 to 2 GB over 50 segments with a constant state.
# Handing the free pages back after every segment keeps RSS flat.
release_free_memory = _malloc_trim()


class InfiniParams(torch.nn.Module):
    """The trainable Infini parameters: one gate logit per layer and query head, and low-rank adapters
    on the memory path only (its own q/k), so the local attention stays the pretrained model's.

    q_mem = q + x A_q B_q and k_mem = k + x A_k B_k per layer (pre-RoPE, as the memory reads them),
    with B zero at the start: untrained adapters change nothing.
    """

    FILE = "infini-params.safetensors"

    def __init__(self, layers: int, hidden: int, heads: int, kv_heads: int, head_dim: int, rank: int = 0,
                 gate_beta: float = -3.0) -> None:
        super().__init__()
        self.shape = dict(layers=layers, hidden=hidden, heads=heads, kv_heads=kv_heads, head_dim=head_dim,
                          rank=rank)
        self.beta = torch.nn.Parameter(torch.full((layers, heads), float(gate_beta)))
        self.rank = rank
        if rank:
            self.q_down = torch.nn.Parameter(torch.randn(layers, hidden, rank) / hidden ** 0.5)
            self.q_up = torch.nn.Parameter(torch.zeros(layers, rank, heads * head_dim))
            self.k_down = torch.nn.Parameter(torch.randn(layers, hidden, rank) / hidden ** 0.5)
            self.k_up = torch.nn.Parameter(torch.zeros(layers, rank, kv_heads * head_dim))

    @classmethod
    def for_model(cls, model, rank: int = 0, gate_beta: float = -3.0) -> InfiniParams:
        c = model.config
        head_dim = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
        return cls(c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.num_key_value_heads,
                   head_dim, rank, gate_beta)

    def memory_qk(self, i: int, x: torch.Tensor, q: torch.Tensor, k: torch.Tensor
                  ) -> tuple[torch.Tensor, torch.Tensor]:
        """The memory path's q (H, T, d) and k (Hkv, T, d) for layer i, from the layer input x (T, D)."""
        if not self.rank:
            return q, k
        t, d = x.shape[0], q.shape[-1]
        xf = x.float()
        dq = (xf @ self.q_down[i] @ self.q_up[i]).view(t, -1, d).transpose(0, 1)
        dk = (xf @ self.k_down[i] @ self.k_up[i]).view(t, -1, d).transpose(0, 1)
        return q.float() + dq, k.float() + dk

    def digest(self) -> str:
        h = hashlib.sha256()
        for name, tensor in sorted(self.state_dict().items()):
            h.update(name.encode())
            h.update(tensor.detach().float().numpy().tobytes())
        return "params-" + h.hexdigest()[:16]

    def save(self, directory: str | Path, metadata: dict[str, str] | None = None) -> Path:
        """Write the parameters as safetensors (atomically), with their shapes in the metadata."""
        from safetensors.torch import save_file

        from infinicli.atomic import atomic_path

        path = Path(directory) / self.FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {k: str(v) for k, v in self.shape.items()} | (metadata or {})
        tensors = {k: v.detach().contiguous() for k, v in self.state_dict().items()}
        with atomic_path(path) as tmp:
            save_file(tensors, str(tmp), metadata=meta)
        return path

    @classmethod
    def file_in(cls, directory: str | Path) -> Path:
        """The parameters file a --params value names: a folder made by `infini train`, or the file."""
        path = Path(directory)
        return path / cls.FILE if path.is_dir() else path

    @classmethod
    def load(cls, directory: str | Path, model) -> InfiniParams:
        """Read parameters saved by save(), refusing a file made for another model's shapes."""
        from safetensors import safe_open

        path = cls.file_in(directory)
        if not path.is_file():
            raise ModelError(f"no trained Infini parameters at {path}")
        try:
            with safe_open(str(path), framework="pt") as f:
                meta = f.metadata() or {}
                tensors = {k: f.get_tensor(k) for k in f.keys()}
        except Exception as exc:  # a damaged or foreign file: one sentence, not a traceback
            raise ModelError(f"{path} is not a safetensors file of Infini parameters ({exc})") from None
        params = cls.for_model(model, rank=int(meta.get("rank", 0)))
        want = {k: tuple(v.shape) for k, v in params.state_dict().items()}
        got = {k: tuple(v.shape) for k, v in tensors.items()}
        if want != got:
            raise ModelError(f"{path} was trained for another model: its tensors {got} do not fit {want}")
        params.load_state_dict(tensors)
        params.metadata = meta
        return params


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """The model's x * cos + rotate_half(x) * sin, where rotate_half(x) is x's halves swapped, the first
    negated: one flip, and the engine's sin table carries the sign (InfiniModel._rope). Three operators
    instead of six, once for every layer of every decoded token."""
    return torch.addcmul(x * cos, x.unflatten(-1, (2, -1)).flip(-2).flatten(-2), sin)


class OpenSpan:
    """One layer's keys (RoPE applied) and values for an open run: the carried prefix, then the
    prompt and generated tokens, in a buffer allocated once for the run's length (grown if exceeded).

    The prefix never changes while the run lasts, so it is gathered and roped once, not per token. The
    keys are kept transposed, (Hkv, d, S), so that a decoded token's scores are a plain product with
    them: measured on 30 layers' worth of 1,150 keys, 0.85-1.26 ms against 1.63-2.19 ms for the product
    with the transpose of (Hkv, S, d).

    The prefix's parts (state.InfiniState.prefix_parts, not roped) are roped and written transposed in
    one pass by kernel.rope_keys where it is had (30 layers of 3,990 keys and values: 26 ms, 16 ms in
    float16, against 33 ms for torch's copy and rope in place below). With `half`, keys and values are
    kept in float16 (the kernels must be had: kernel.half_spans), as llama.cpp keeps its cache: a decoded
    token reads half the bytes (kernel.attend_one: 30 layers of 3,990 keys, 4.1 against 7.0 ms), and a
    prompt of several tokens reads them widened to float32 (widened)."""

    def __init__(self, parts: list[tuple[torch.Tensor, torch.Tensor]], tables: tuple[torch.Tensor, ...],
                 room: int, half: bool = False, group: int = 1) -> None:
        """parts: (Hkv, n, d) keys and values each, in span order; tables: the engine's rope tables cos,
        sin ((positions, d), sin with rotate_half's sign folded in) and their transposes, covering the
        parts' length; group: query heads per KV head (the kernels are built per shape)."""
        cos, sin, cos_t, sin_t = tables
        k0 = parts[0][0]
        n_kv, d, p = k0.shape[0], k0.shape[2], sum(k.shape[1] for k, _ in parts)
        dtype = torch.float16 if half else k0.dtype
        self.kt = k0.new_empty(n_kv, d, p + room, dtype=dtype)
        self.v = k0.new_empty(n_kv, p + room, d, dtype=dtype)
        a, by_torch = 0, []
        for k, v in parts:
            b = a + k.shape[1]
            if not kernel.rope_keys(k, cos, sin, a, self.kt, group):
                if half:  # roped in float32, then rounded
                    k = apply_rope(k, cos[a:b], sin[a:b])
                else:
                    by_torch.append((a, b))
                self.kt[:, :, a:b].copy_(k.transpose(-1, -2))
            self.v[:, a:b].copy_(v)
            a = b
        h = d // 2  # x * cos + rotate_half(x) * sin, on the two halves: rotate_half swaps them
        for a, b in by_torch:  # in place
            x1, x2 = self.kt[:, :h, a:b], self.kt[:, h:, a:b]
            first = x1 * sin_t[h:, a:b]
            x1.mul_(cos_t[:h, a:b]).addcmul_(x2, sin_t[:h, a:b])
            x2.mul_(cos_t[h:, a:b]).add_(first)
        self.n = p

    def append(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Add t new tokens' roped keys and values; all keys (Hkv, S, d), a view of the transposed
        buffer, and values so far, in the span's dtype."""
        t = k.shape[1]
        if self.n + t > self.v.shape[1]:
            grow = max(t, self.v.shape[1])
            self.kt = torch.cat([self.kt, self.kt.new_empty(self.kt.shape[0], self.kt.shape[1], grow)], 2)
            self.v = torch.cat([self.v, self.v.new_empty(self.v.shape[0], grow, self.v.shape[2])], 1)
        self.kt[:, :, self.n: self.n + t], self.v[:, self.n: self.n + t] = k.transpose(-1, -2), v
        self.n += t
        return self.kt[:, :, : self.n].transpose(-1, -2), self.v[:, : self.n]

    def widened(self) -> tuple[torch.Tensor, torch.Tensor]:
        """append's keys and values in float32: a float16 span's copied, each in its own layout."""
        return self.kt[:, :, : self.n].float().transpose(-1, -2), self.v[:, : self.n].float()


class InfiniModel:
    """One engine for every method: full, window, infini, infini+recall (see EngineConfig)."""

    def __init__(self, model, config: EngineConfig, params: InfiniParams | None = None) -> None:
        c = model.config
        if c.model_type not in SUPPORTED_ARCHITECTURES:
            raise ModelError(
                f"architecture {c.model_type!r} is not supported; infini runs "
                f"{', '.join(SUPPORTED_ARCHITECTURES)} models"
            )
        self.model = model.eval()
        self.layers = c.num_hidden_layers
        self.heads = c.num_attention_heads
        self.kv_heads = c.num_key_value_heads
        self.head_dim = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
        self.native_context = int(getattr(c, "max_position_embeddings", 2048))
        self.dtype = next(model.parameters()).dtype
        self._attn = [layer.self_attn for layer in model.model.layers]
        rotate_half = sys.modules[type(self._attn[0]).__module__].rotate_half
        probe = torch.arange(4.0)
        if not torch.equal(rotate_half(probe), torch.tensor([-2.0, -3.0, 0.0, 1.0])):  # what apply_rope does
            raise ModelError(f"{c.model_type} rotates its positions in a way this engine does not implement")
        if params is not None and tuple(params.beta.shape) != (self.layers, self.heads):
            raise ModelError(f"gates of shape {tuple(params.beta.shape)} do not fit this model "
                             f"({self.layers} layers x {self.heads} heads)")
        self.params = params
        self.training = False  # gradients flow through the state (see train.py)
        # generate()'s open spans keep keys and values in float16 where the kernels allow (OpenSpan); the
        # session sets it for every precision but fp32
        self.half_spans = False
        self._half_ok: bool | None = None
        self._cos = self._sin = torch.zeros(0)
        self._probe_ids: torch.Tensor | None = None
        self._probe_every_segment = False
        self._baseline_ids: torch.Tensor | None = None
        self.probe_heads: torch.Tensor | None = None  # (L, H) weight of each head in the probe score
        self.last_probe_mass: torch.Tensor | None = None  # (L, H, n) the question's, last probe
        self._recall_last = False
        self._answer_index: torch.Tensor | None = None
        self._parts: list[_Parts] = []  # set while a forward runs (_running), with _add_final_norm
        self._add_final_norm: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None
        self.configure(config)

    # --- configuration and state -------------------------------------------------------------

    def configure(self, config: EngineConfig) -> None:
        """Set the method and settings asked for; the state starts empty."""
        self.base_config = config
        self.reset()

    def reset(self, config: EngineConfig | None = None) -> None:
        """An empty state, under the configured settings (or, for one read, the ones given)."""
        cfg = self.config = config or self.base_config
        self.beta = self.params.beta if self.params is not None else torch.full(
            (self.layers, self.heads), float(cfg.gate_beta))
        self.state = InfiniState(self.layers, self.kv_heads, self.head_dim, cfg.window,
                                 cfg.pool_blocks, cfg.block, cfg.sink, self.dtype)
        self._stash: list[tuple[torch.Tensor, torch.Tensor]] = [None] * self.layers  # type: ignore
        self._close()
        self._novelty: torch.Tensor | None = None
        self._mass: torch.Tensor | None = None
        self.segments = 0
        self.seconds = 0.0

    def _close(self) -> None:
        """End an open run (logits, generate): drop its spans and memory read-outs."""
        self._open: list[OpenSpan | None] = [None] * self.layers
        self._read_out: list[tuple | None] = [None] * self.layers
        self._open_room = 0  # tokens an open run will add (prompt + new tokens), for OpenSpan

    @contextlib.contextmanager
    def borrowed(self) -> Iterator[InfiniModel]:
        """The engine lent for other work (calibrating retrieval heads) and given back as it was: its
        configured settings and its probe."""
        saved = self.base_config, self._probe_ids, self._baseline_ids, self._probe_every_segment
        try:
            yield self
        finally:
            self.configure(saved[0])
            self._probe_ids, self._baseline_ids, self._probe_every_segment = saved[1:]

    @property
    def parameters_id(self) -> str:
        """Identifies the trained Infini parameters in saved states: none, or a hash of them."""
        return "none" if self.params is None else self.params.digest()

    # --- the attention forward that replaces each layer's ------------------------------------

    def _rope(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """cos/sin for positions 0..n-1 from the model's own rotary module, cached and grown."""
        if self._cos.shape[0] < max(n, 1):  # a (0, d) slice needs the table too
            m = max(n, 2 * self._cos.shape[0], 1024)
            pos = torch.arange(m)[None]
            dummy = torch.zeros(1, 1, self.head_dim, dtype=self.dtype)
            cos, sin = self.model.model.rotary_emb(dummy, pos)
            half = self.head_dim // 2  # rotate_half's sign, folded into sin once (see apply_rope)
            self._cos, self._sin = cos[0], torch.cat([-sin[0, :, :half], sin[0, :, half:]], -1)  # (m, d)
            self._cos_t, self._sin_t = self._cos.t().contiguous(), self._sin.t().contiguous()  # for OpenSpan
        return self._cos[:n], self._sin[:n]

    def _half_span(self) -> bool:
        if not self.half_spans:
            return False
        if self._half_ok is None:
            self._half_ok = kernel.half_spans(self.heads // self.kv_heads, self.head_dim)
        return self._half_ok

    def _attention(self, attn, hidden_states: torch.Tensor, *args, **kwargs):
        i = attn.layer_idx
        x = hidden_states[0]  # (T, D); the engine reads one sequence
        t = x.shape[0]
        qk = None  # q and k side by side, when one projection made them: roped at once in an open run
        part = self._parts[i]
        if part.qkv is not None:  # one projection for the three (precision.stack_int4)
            n_qk = (self.heads + self.kv_heads) * self.head_dim
            both = part.qkv(x)
            if t == 1 and self._mode is _Mode.OPEN and part.q_norm is None and self.params is None:
                out = self._step(i, attn, both)
                if out is not None:
                    return part.o(out.view(1, 1, -1)), None
            qk, v = both.split([n_qk, self.kv_heads * self.head_dim], -1)
            qk, v = qk.view(t, -1, self.head_dim), v.view(t, -1, self.head_dim)
            q, k = qk[:, :self.heads], qk[:, self.heads:]
        else:
            q = part.q(x).view(t, -1, self.head_dim)
            k = part.k(x).view(t, -1, self.head_dim)
            v = part.v(x).view(t, -1, self.head_dim)
        if part.q_norm is not None:  # Qwen3 normalises q and k per head before RoPE
            q, k, qk = part.q_norm(q), part.k_norm(k), None
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)  # (H, T, d), pre-RoPE

        if self._mode is _Mode.OPEN:
            span = self._open_span(i, t)
            s = span.n + t
        else:
            pk, pv = self.state.prefix(i)
            if self._mode is _Mode.PROBE:
                sk, sv = self._stash[i]
                keys, values = torch.cat([pk, sk, k], 1), torch.cat([pv, sv, v], 1)
            else:
                keys, values = torch.cat([pk, k], 1), torch.cat([pv, v], 1)
            s = keys.shape[1]
        cos, sin = self._rope(s)
        if self._mode is _Mode.OPEN:
            if qk is not None:
                qk_rot = apply_rope(qk.transpose(0, 1), cos[s - t:], sin[s - t:])
                q_rot, k_new = qk_rot[:self.heads], qk_rot[self.heads:]
            else:
                q_rot = apply_rope(q, cos[s - t:], sin[s - t:])
                k_new = apply_rope(k, cos[s - t:], sin[s - t:])
            k_rot, values = span.append(k_new, v)
        else:
            q_rot = apply_rope(q, cos[s - t:], sin[s - t:])
            k_rot = apply_rope(keys, cos, sin)
        out = kernel.attend_one(q_rot, k_rot, values, attn.scaling) if self._mode is _Mode.OPEN and t == 1 else None
        if out is None and k_rot.dtype != q_rot.dtype:  # a prompt over a float16 span: widened for torch
            k_rot, values = span.widened()
        if out is None:
            out = local_attention(q_rot, k_rot, values, attn.scaling)
        if self._mode is _Mode.PROBE:
            self._score_candidates(i, q, keys[:, self.state.pool.sink_size: s - t], attn.scaling)

        mem = self.state.memory
        q_mem, k_mem = (q, k) if self.params is None else self.params.memory_qk(i, x, q, k)
        if self.config.memory and not mem.empty:
            read, g = self._memory(i)
            out = gate_mix(memory_read_out(q_mem, read), out, g)
        if self._mode is _Mode.SEGMENT:
            if self.config.memory:
                if self._novelty is not None:
                    self._novelty += novelty(k_mem, v, mem.M[i], mem.z[i], self.config.eps) / self.layers
                mem.M[i], mem.z[i] = memory_write(k_mem, v, mem.M[i], mem.z[i], self.config.rule,
                                                  self.config.eps)
            self._stash[i] = (k, v)
        out = out.transpose(0, 1).reshape(1, t, -1)
        return part.o(out), None

    def _open_span(self, i: int, t: int) -> OpenSpan:
        """Layer i's open span, built at the run's first pass from the state's carried keys."""
        span = self._open[i]
        if span is None:
            # recall_last and the answer's blocks are set only while generate() runs
            parts = self.state.prefix_parts(i, self._recall_last, self._answer_index)
            self._rope(sum(pk.shape[1] for pk, _ in parts))
            span = self._open[i] = OpenSpan(parts, (self._cos, self._sin, self._cos_t, self._sin_t),
                                            max(self._open_room, t), self._half_span(), self.heads // self.kv_heads)
        return span

    def _step(self, i: int, attn, both: torch.Tensor) -> torch.Tensor | None:
        """A decoded token's attention in layer i from its q/k/v projection `both` (1, ...), through the C
        kernel in one call (kernel.decode_step: RoPE, the span's append, the attention), with the memory's
        read mixed in as _attention does it: (H, 1, d). None where the kernel does not apply."""
        span = self._open_span(i, 1)
        self._rope(span.n + 1)
        out = kernel.decode_step(both, span.n, self._cos, self._sin, span, attn.scaling, self.heads)
        mem = self.state.memory
        if out is not None and self.config.memory and not mem.empty:
            q = both[:, : self.heads * self.head_dim].view(self.heads, 1, self.head_dim)  # before RoPE
            read, g = self._memory(i)
            out = gate_mix(memory_read_out(q, read), out, g)
        return out

    def _memory(self, i: int) -> tuple[tuple[torch.Tensor, torch.Tensor], torch.Tensor]:
        """Layer i's memory as attention.read_out prepares it, and its gate; kept for the run while one
        is open, since nothing is written then."""
        if self._mode is _Mode.OPEN and self._read_out[i] is not None:
            return self._read_out[i]
        mem = self.state.memory
        prepared = read_out(mem.M[i], mem.z[i], self.config.eps), gate(self.beta[i])
        if self._mode is _Mode.OPEN:
            self._read_out[i] = prepared
        return prepared

    def _score_candidates(self, i: int, q: torch.Tensor, cand: torch.Tensor, scaling: float) -> None:
        """Add layer i's probe attention mass over every candidate token (pool, window, segment), per
        query head, summed over the probe's tokens.

        Each candidate is scored as if it sat PROBE_DISTANCE tokens before the probe: with their real
        positions the newest tokens win on recency alone and an old needle is evicted.
        """
        t, n_kv, n = q.shape[1], cand.shape[0], cand.shape[1]
        cos, sin = self._rope(PROBE_DISTANCE + t)
        q_rot = apply_rope(q, cos[PROBE_DISTANCE:], sin[PROBE_DISTANCE:])  # keys at position 0
        scores = q_rot.reshape(n_kv, -1, self.head_dim) @ cand.transpose(-1, -2) * scaling
        per_head = scores.float().softmax(-1).view(n_kv, -1, t, n).sum(2).reshape(-1, n)  # (H, n)
        self._mass[i, :, self.state.pool.sink_size:] += per_head

    def _probe_score(self, mass: torch.Tensor) -> torch.Tensor:
        """Per-head mass (L, H, n) to one score per token: every head, or the selected heads only."""
        if self.probe_heads is None:
            return mass.sum(dim=(0, 1))
        return (mass * self.probe_heads[:, :, None]).sum(dim=(0, 1))

    @contextlib.contextmanager
    def _running(self, mode: _Mode):
        """Swap in the engine's attention for the duration of one forward pass; always restore."""
        self._mode = mode
        self._parts = [_Parts(layer, self.dtype) for layer in self.model.model.layers]
        self._add_final_norm = _add_norm(self.model.model.norm, self.dtype)
        originals = [a.__dict__.get("forward") for a in self._attn]
        for a in self._attn:
            a.forward = lambda *args, _a=a, **kw: self._attention(_a, *args, **kw)
        try:
            with contextlib.nullcontext() if self.training else torch.inference_mode():
                yield
        finally:
            for a, orig in zip(self._attn, originals):
                if orig is None:
                    del a.forward
                else:
                    a.forward = orig

    def _hidden(self, ids: torch.Tensor) -> torch.Tensor:
        out = self.model.model(input_ids=ids.view(1, -1), use_cache=False)
        return out.last_hidden_state

    def _decode(self, token: int) -> torch.Tensor:
        """_hidden for one generated token of an open run, without transformers' per-call work (position
        ids, masks, rotary tables, output objects): the norms, this engine's attention and the MLP of
        each layer, called directly. Equal to _hidden within float32 rounding (test_engine). (1, 1, D)"""
        m = self.model.model
        x = m.embed_tokens(torch.tensor([[token]]))  # the residual stream: each add_norm adds to it in place
        parts = self._parts
        h = parts[0].norm1(x)
        for n, part in enumerate(parts):
            h = part.add_norm2(x, self._attention(part.attn, h)[0])
            h = (parts[n + 1].add_norm1 if n + 1 < len(parts) else self._add_final_norm)(x, part.mlp(h))
        return h

    # --- reading -------------------------------------------------------------------------------

    @property
    def pool_score(self) -> str:
        cfg = self.config
        if cfg.pool_blocks == 0:
            return "none"
        return "residual" if cfg.score == "residual" or self._probe_ids is None else "probe"

    @property
    def probing(self) -> bool:
        """Whether each segment is probed with the question: to score the pool, or, when asked for
        (set_probe(..., every_segment=True)), to score the segment's tokens as evidence."""
        return self.pool_score == "probe" or (self._probe_ids is not None and self._probe_every_segment)

    def set_probe(self, probe_ids: list[int] | torch.Tensor | None,
                  baseline_ids: list[int] | torch.Tensor | None = None, every_segment: bool = False) -> None:
        """The question, when known before reading: it scores which blocks the recall pool keeps.

        With a baseline (a generic question in the same prompt), a token's score is the question's
        attention mass on it minus the baseline's, each per probe token. On code most of the raw
        mass goes to the same line breaks and common words whatever the question asks (the tiktoken
        sources: the same files were recalled for five different questions), and the contrast
        leaves what is particular to the question.

        every_segment: probe each segment even where no pool is scored (e.g. exact attention on a
        short input), so that SegmentStats.scores rates every token read.
        """
        def ids(x):
            return None if x is None else torch.as_tensor(x, dtype=torch.long).view(-1)

        self._probe_ids, self._baseline_ids = ids(probe_ids), ids(baseline_ids)
        self._probe_every_segment = every_segment

    def set_probe_heads(self, weights: torch.Tensor | None) -> None:
        """Weight of each head (L, H) in the probe's pool score, e.g. 1 for the model's retrieval
        heads and 0 elsewhere (infinicli.heads); None: every head counts the same."""
        if weights is not None and tuple(weights.shape) != (self.layers, self.heads):
            raise ModelError(f"head weights of shape {tuple(weights.shape)} do not fit this model "
                             f"({self.layers} layers x {self.heads} heads)")
        self.probe_heads = None if weights is None else weights.float()

    def consume(self, ids: list[int] | torch.Tensor, index: int | None = None,
                total: int | None = None) -> SegmentStats:
        """Read one segment (at most config.segment tokens) into the state."""
        ids = torch.as_tensor(ids, dtype=torch.long).view(-1)
        if ids.numel() == 0 or ids.numel() > self.config.segment:
            raise ValueError(f"a segment holds 1..{self.config.segment} tokens, got {ids.numel()}")
        t0 = time.perf_counter()
        st = self.state
        scoring = self.pool_score
        n_prefix_pool = st.pool.sink_size + st.pool.size
        self._novelty = torch.zeros(ids.numel()) if scoring == "residual" and self.config.memory else None
        with self._running(_Mode.SEGMENT):
            self._hidden(ids)
        if self.config.memory:
            st.memory.writes += 1
        k = torch.stack([s[0] for s in self._stash])  # (L, H, T, d)
        v = torch.stack([s[1] for s in self._stash])
        pos = torch.arange(st.tokens, st.tokens + ids.numel())
        pool_scores = None
        segment_scores = None
        if self.probing:
            mass = self._probe(st.prefix_len + ids.numel())
            carried = mass[n_prefix_pool:]  # window then segment, oldest first
            segment_scores = carried[st.window.size:]
        if scoring == "probe":
            pool_scores = mass[st.pool.sink_size: n_prefix_pool]
            st.window.score[: st.window.size] = carried[: st.window.size]
            score = segment_scores
        elif scoring == "residual" and self._novelty is not None:
            score = self._novelty
        else:
            score = torch.zeros(ids.numel())
        evicted = st.window.push(k, v, pos, score, ids)
        st.pool.admit(evicted, pool_scores, "sum" if scoring == "probe" else "mean")
        self._stash = [None] * self.layers  # type: ignore
        self._novelty = None
        st.tokens += ids.numel()
        self.segments += 1
        dt = time.perf_counter() - t0
        self.seconds += dt
        stats = self.stats(ids.numel(), dt, index or self.segments, total)
        stats.scores = segment_scores
        return stats

    def _probe(self, n: int) -> torch.Tensor:
        """The question's score for each of the n tokens before it (carried state, then the stashed
        segment): its attention mass, per probe token and less the baseline question's when one is set."""
        self._mass = torch.zeros(self.layers, self.heads, n)
        try:
            with self._running(_Mode.PROBE):
                self._hidden(self._probe_ids)
                self.last_probe_mass = self._mass
                mass = self._probe_score(self._mass)
                if self._baseline_ids is not None:
                    self._mass = torch.zeros_like(self._mass)
                    self._hidden(self._baseline_ids)
                    mass = mass / self._probe_ids.numel() - self._probe_score(self._mass) / self._baseline_ids.numel()
        finally:
            self._mass = None
        return mass

    def state_scores(self) -> torch.Tensor:
        """The question's score (set_probe) for every token the state carries, in prefix order
        [sink | pool | window], as the pool is scored while reading; the sink's stays 0. Nothing is written."""
        if self._probe_ids is None:
            raise ValueError("state_scores needs a question: call set_probe first")
        empty = torch.zeros(self.kv_heads, 0, self.head_dim, dtype=self.dtype)
        self._stash = [(empty, empty)] * self.layers
        try:
            return self._probe(self.state.prefix_len)
        finally:
            self._stash = [None] * self.layers  # type: ignore

    def stats(self, tokens: int, seconds: float, index: int, total: int | None) -> SegmentStats:
        st = self.state
        return SegmentStats(
            index=index, total=total, tokens=tokens, tokens_done=st.tokens, seconds=seconds,
            tokens_per_s=st.tokens / self.seconds if self.seconds else 0.0,
            memory_bytes=st.memory.nbytes if self.config.memory else 0,
            window_tokens=st.window.size, window_capacity=st.window.capacity,
            pool_tokens=st.pool.size + st.pool.sink_size,
            pool_capacity=st.pool.capacity + st.pool.sink_k.shape[2],
            state_bytes=st.nbytes, peak_rss_mb=peak_rss_mb(), mode=self.config.method,
        )

    def read(self, tokens: Iterable[int], total_tokens: int | None = None,
             on_segment: Callable[[SegmentStats], None] | None = None) -> None:
        """Read a token stream segment by segment under the current configuration (reading.read_ids
        chooses it per reading: the adaptive choice of exact attention is made there)."""
        seg = self.config.segment
        total = -(-total_tokens // seg) if total_tokens else None
        for segment in batched(tokens, seg):
            stats = self.consume(segment, total=total)
            release_free_memory()
            if on_segment is not None:
                on_segment(stats)

    # --- answering -----------------------------------------------------------------------------

    def logits(self, ids: list[int] | torch.Tensor) -> torch.Tensor:
        """Logits for every position of `ids` read as an open segment (nothing is written). (T, V)"""
        ids = torch.as_tensor(ids, dtype=torch.long).view(-1)
        self._open_room = ids.numel()
        try:
            with self._running(_Mode.OPEN):
                h = self._hidden(ids)
                return self.model.lm_head(h)[0].float()
        finally:
            self._close()

    def generate(self, prompt_ids: list[int] | torch.Tensor, max_new_tokens: int = 32,
                 stop_ids: Iterable[int] = (), on_token: Callable[[int], None] | None = None,
                 stop_when: Callable[[list[int]], bool] | None = None,
                 recall_last: bool = False, not_first: Iterable[int] = (), no_repeat_ngram: int = 0
                 ) -> list[int]:
        """Greedy decoding from the prompt, reading the state but never writing it.

        Stops before a token in stop_ids, or after the token for which stop_when(output) is true.
        recall_last puts the recall pool right before the prompt, after the window (see
        InfiniState.prefix): on a 12K-token prose haystack it turned a wrong answer into the right one.
        not_first: tokens the answer may not start with (e.g. a line break that would end it empty).
        When the question scored the pool, the answer reads only its best blocks (answer_blocks).
        no_repeat_ngram: n > 0 blocks any n-gram from occurring twice in the output (greedy decoding
        of a small model otherwise loops on a phrase).
        """
        self._recall_last = recall_last
        self._answer_index = self.state.pool.best_index(self.answer_blocks)
        ids = torch.as_tensor(prompt_ids, dtype=torch.long).view(-1)
        self._open_room = ids.numel() + max_new_tokens
        stop = set(stop_ids)
        out: list[int] = []
        try:
            with self._running(_Mode.OPEN):
                h = self._hidden(ids)
                first = sorted(set(not_first))
                for step in range(max_new_tokens):
                    banned = (first if step == 0 else []) + repeated_ngram_ends(out, no_repeat_ngram)
                    nxt = self._next_token(h, banned)
                    if nxt in stop:
                        break
                    out.append(nxt)
                    if on_token is not None:
                        on_token(nxt)
                    if stop_when is not None and stop_when(out) or step == max_new_tokens - 1:
                        break  # the last token's own pass would be read by no one
                    h = self._decode(nxt)
        finally:
            self._close()
            self._recall_last = False
            self._answer_index = None
        return out

    def _next_token(self, h: torch.Tensor, banned: list[int]) -> int:
        """The greedy choice after h's last row, never one of `banned` (an int4 model's output layer
        shortlists it: precision.ShortlistOutput)."""
        head = self.model.lm_head
        if hasattr(head, "next_token"):
            return head.next_token(h, banned)
        logits = head(h[:, -1])[0]
        if banned:
            logits[torch.tensor(banned)] = float("-inf")
        return int(logits.argmax(-1))

    @property
    def answer_blocks(self) -> int:
        """How many pool blocks an answer reads: the config's N when the question scored the pool,
        else every block (0): scored by the memory's residual, the best blocks are not the relevant ones."""
        return self.config.answer_blocks if self.pool_score == "probe" else 0


def _norm(norm: torch.nn.Module, dtype: torch.dtype) -> Callable[[torch.Tensor], torch.Tensor]:
    """A Llama-family RMSNorm as one call: the C kernel's (kernel.rms_norm: torch's rms_norm took about 25 us
    for a decoded token's row, the C one about 3), else torch's fused one (the module's own forward is five
    operators), else the module's forward."""
    eps = getattr(norm, "variance_epsilon", None)
    if eps is None or dtype != torch.float32:
        return norm.forward
    return kernel.rms_norm(norm.weight.detach(), eps) or functools.partial(
        torch.nn.functional.rms_norm, normalized_shape=norm.weight.shape, weight=norm.weight, eps=eps)


def _add_norm(norm: torch.nn.Module, dtype: torch.dtype) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """(x, a) -> the norm of x after x += a in place: the residual stream's step and the norm after it, one C
    call where the kernel is had (kernel.add_rms_norm), else the add, then _norm's."""
    eps = getattr(norm, "variance_epsilon", None)
    fused = kernel.add_rms_norm(norm.weight.detach(), eps) if eps is not None and dtype == torch.float32 else None
    if fused is not None:
        return fused
    plain = _norm(norm, dtype)
    return lambda x, a: plain(x.add_(a))


class _Parts:
    """One layer's callables, looked up once for a run: a decoded token passes 30 layers, and each
    nn.Module attribute lookup and call costs microseconds. Forwards are called directly (no hooks are
    set on these modules)."""

    __slots__ = ("attn", "qkv", "q", "k", "v", "o", "q_norm", "k_norm", "norm1", "add_norm1", "add_norm2", "mlp")

    def __init__(self, layer: torch.nn.Module, dtype: torch.dtype) -> None:
        attn = self.attn = layer.self_attn
        qkv = getattr(attn, "qkv_proj", None)
        self.qkv = None if qkv is None else qkv.forward
        self.q, self.k, self.v, self.o = (getattr(attn, n).forward for n in ("q_proj", "k_proj", "v_proj", "o_proj"))
        self.q_norm, self.k_norm = getattr(attn, "q_norm", None), getattr(attn, "k_norm", None)
        self.norm1 = _norm(layer.input_layernorm, dtype)
        self.add_norm1 = _add_norm(layer.input_layernorm, dtype)  # the previous layer's MLP added, then this
        self.add_norm2 = _add_norm(layer.post_attention_layernorm, dtype)  # the attention added, then this
        self.mlp = layer.mlp.forward


def repeated_ngram_ends(out: list[int], n: int) -> list[int]:
    """The tokens that would complete an n-gram already in `out` (none when n < 1)."""
    if n < 1 or len(out) < n:
        return []
    tail = out[len(out) - n + 1:] if n > 1 else []
    return sorted({out[j + n - 1] for j in range(len(out) - n + 1) if out[j: j + n - 1] == tail})


def batched(tokens: Iterable[int], n: int) -> Iterator[list[int]]:
    """Lists of n tokens (the last may be shorter), pulled lazily from a stream."""
    batch: list[int] = []
    for tok in tokens:
        batch.append(tok)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch
