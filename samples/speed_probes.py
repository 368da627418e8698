"""Microbenchmarks behind samples/bench/speed.md: what one decoded token's parts cost on this CPU.

    python samples/speed_probes.py mlp --precision fp32|fp16   # the 30 RMSNorm+MLP blocks, eager and torch.compile
    python samples/speed_probes.py attention                   # one query over n keys: SDPA against two bmm

Both run at one token (the decode case) on 2 threads and print milliseconds or microseconds a call.
`mlp` loads the default model (pulled if missing); `attention` needs no model.
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F


def per_call(f, x, n: int) -> float:
    """Seconds a call, after 10 warm-up calls."""
    with torch.inference_mode():
        for _ in range(10):
            f(x)
        t0 = time.perf_counter()
        for _ in range(n):
            f(x)
        return (time.perf_counter() - t0) / n


def mlp(precision: str) -> None:
    from infinicli import model_store
    from infinicli.precision import apply

    model = model_store.load(model_store.DEFAULT_MODEL).model
    apply(model, precision)
    layers = model.model.layers

    def blocks(x):
        for layer in layers:
            x = x + layer.mlp(layer.post_attention_layernorm(x))
        return x

    x = torch.randn(1, 1, model.config.hidden_size)
    print(f"{precision}: eager {per_call(blocks, x, 200) * 1e3:.2f} ms a token")
    t0 = time.perf_counter()
    compiled = torch.compile(blocks, dynamic=False)
    with torch.inference_mode():
        diff = float((blocks(x) - compiled(x)).abs().max())
    print(f"{precision}: compiled in {time.perf_counter() - t0:.1f} s (max difference {diff:.2g}), "
          f"{per_call(compiled, x, 200) * 1e3:.2f} ms a token")


def attention() -> None:
    heads, kv_heads, d = 9, 3, 64  # the default model's
    for n in (600, 1600, 4000):
        qkv = torch.randn(heads, 1, d), torch.randn(kv_heads, n, d), torch.randn(kv_heads, n, d)

        def sdpa(t):
            q, k, v = (x[None] for x in t)
            return F.scaled_dot_product_attention(q, k, v, scale=d ** -0.5, enable_gqa=True)[0]

        def two_bmm(t):  # query heads grouped by the key head they share, as enable_gqa groups them
            q, k, v = t
            w = (torch.bmm(q.view(kv_heads, heads // kv_heads, d), k.transpose(1, 2)) * d ** -0.5).softmax(-1)
            return torch.bmm(w, v).view(heads, 1, d)

        diff = float((sdpa(qkv) - two_bmm(qkv)).abs().max())
        print(f"{n} keys: SDPA {per_call(sdpa, qkv, 500) * 1e6:.1f} µs, two bmm "
              f"{per_call(two_bmm, qkv, 500) * 1e6:.1f} µs (max difference {diff:.1g})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probe", choices=("mlp", "attention"))
    parser.add_argument("--precision", choices=("fp32", "fp16", "int4"), default="fp32")
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.probe == "mlp":
        mlp(args.precision)
    else:
        attention()


if __name__ == "__main__":
    main()
