"""Infini-attention math as pure functions on tensors (Munkhdalai et al. 2024, arXiv 2404.07143).

Shapes, for one layer of one sequence (no batch dimension):
  q: (Hq, T, d)   k, v: (Hkv, T, d)   M: (Hkv, d, d)   z: (Hkv, d)
Grouped-query heads share their KV head's memory: query head h reads memory h // (Hq // Hkv).
Everything on the memory path is float32 and position-free (pre-RoPE q and k).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sigma(x: torch.Tensor) -> torch.Tensor:
    """ELU + 1: the positive feature map of the paper's linear attention."""
    return F.elu(x.float()) + 1.0


def memory_read(q: torch.Tensor, M: torch.Tensor, z: torch.Tensor, eps: float) -> torch.Tensor:
    """Eq. (3): A_mem = sigma(Q) M / (sigma(Q) z). Returns (Hq, T, d) float32."""
    return memory_read_out(q, read_out(M, z, eps))


def read_out(M: torch.Tensor, z: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    """What eq. (3) reads, prepared: M and z side by side, Mz (Hkv, d, d + 1), and the read's constant
    term c (Hkv, 1, d + 1). Since sigma(q) = elu(q) + 1, sigma(q) Mz = elu(q) Mz + (the sums of Mz's rows),
    and c holds those sums with eps added to z's, so numerator and denominator are one baddbmm.
    It changes only when the memory is written, so a run of decoded tokens builds it once per layer."""
    mz = torch.cat([M, z.unsqueeze(-1)], -1)
    c = mz.sum(-2, keepdim=True)
    c[..., -1] += eps
    return mz, c


def memory_read_out(q: torch.Tensor, read: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """memory_read with M, z and eps given as read_out(M, z, eps). Returns (Hq, T, d) float32."""
    mz, c = read
    hq, t, d = q.shape
    n_kv = mz.shape[0]
    r = torch.baddbmm(c, F.elu(q.float()).reshape(n_kv, -1, d), mz)  # query heads grouped by their KV head
    return (r[..., :d] / r[..., d:]).reshape(hq, t, d)


def memory_retrieve(sk: torch.Tensor, M: torch.Tensor, z: torch.Tensor, eps: float) -> torch.Tensor:
    """What the memory returns for already-featurised keys sk: (Hkv, T, d) -> (Hkv, T, d)."""
    return (sk @ M) / (sk @ z.unsqueeze(-1) + eps)


def memory_write(
    k: torch.Tensor, v: torch.Tensor, M: torch.Tensor, z: torch.Tensor, rule: str, eps: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Eq. (4) linear: M += sigma(K)^T V; eq. (5) delta: M += sigma(K)^T (V - retrieve(K)).

    z += sum_t sigma(K_t) in both. Returns new (M, z); the inputs are not modified.
    """
    sk = sigma(k)
    v = v.float()
    if rule == "delta":
        v = v - memory_retrieve(sk, M, z, eps)
    return M + sk.transpose(-1, -2) @ v, z + sk.sum(dim=-2)


def novelty(k: torch.Tensor, v: torch.Tensor, M: torch.Tensor, z: torch.Tensor, eps: float) -> torch.Tensor:
    """Per-token delta-rule residual |V - retrieve(K)|^2 / |V|^2, averaged over KV heads: (T,).

    An empty memory retrieves nothing, so everything is fully novel (1.0).
    """
    v = v.float()
    if not bool(z.any()):
        return torch.ones(v.shape[-2])
    err = (v - memory_retrieve(sigma(k), M, z, eps)).pow(2).sum(-1)
    return (err / (v.pow(2).sum(-1) + eps)).mean(0)


def causal_mask(t: int, s: int) -> torch.Tensor:
    """(T, S) bool: the last T of S keys are the queries themselves; every earlier key is visible."""
    offset = s - t
    return torch.arange(s)[None, :] <= (torch.arange(t)[:, None] + offset)


# Up to this many queries, grouped_attention is faster than SDPA; measured on the Intel machine of
# samples/bench/speed.md with 9 query heads over 3 KV heads and 1,100 carried keys: 158 against 306 us
# at 8 queries, 584 against 1,106 at 32 (SDPA given contiguous keys), 1,169 against 1,106 at 64.
GROUPED_QUERIES = 32


def local_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, scaling: float) -> torch.Tensor:
    """Exact causal softmax attention of T queries over S >= T keys (queries are the last T).

    q: (Hq, T, d) and k, v: (Hkv, S, d), RoPE already applied. Returns (Hq, T, d).
    """
    t, s = q.shape[-2], k.shape[-2]
    if t <= GROUPED_QUERIES:
        return grouped_attention(q, k, v, scaling)
    # SDPA's CPU kernels are 2-3x slower on keys that are a transposed view (engine.OpenSpan's)
    out = F.scaled_dot_product_attention(
        q.unsqueeze(0), k.contiguous().unsqueeze(0), v.unsqueeze(0),
        attn_mask=None if s == t else causal_mask(t, s), is_causal=s == t, scale=scaling, enable_gqa=True,
    )
    return out.squeeze(0)


def grouped_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, scaling: float) -> torch.Tensor:
    """local_attention for a few queries, as two batched products with the query heads grouped by their
    KV head (no copy of the keys per query head). Measured on the Intel machine of
    samples/bench/speed.md (one query, 9 query heads over 3 KV heads): 106 against SDPA's 130 us at
    1,100 keys, 373 against 497 at 4,000. The product is fastest when k is the transpose of a
    (Hkv, d, S) tensor, as engine.OpenSpan keeps it."""
    hq, t, d = q.shape
    n_kv, s = k.shape[0], k.shape[1]
    w = (q.reshape(n_kv, hq // n_kv * t, d) * scaling) @ k.transpose(-1, -2)  # q scaled: G x d, not G x S
    if t > 1:  # the queries are the last t keys: each sees the keys before it and itself
        w.view(n_kv, -1, t, s)[..., s - t:].masked_fill_(~causal_mask(t, t), float("-inf"))
    return (w.softmax(-1).to(v.dtype) @ v).reshape(hq, t, d)


def gate(beta: torch.Tensor) -> torch.Tensor:
    """Eq. (6)'s mixing weight sigmoid(beta) per query head, shaped (Hq, 1, 1) for gate_mix."""
    return torch.sigmoid(beta.float()).view(-1, 1, 1)


def gate_mix(a_mem: torch.Tensor, a_local: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Eq. (6): A = g A_mem + (1 - g) A_local with g = gate(beta), as one lerp."""
    return torch.lerp(a_local.float(), a_mem, g).to(a_local.dtype)
