"""How well the default model keeps its predictions when its linears' inputs are rounded to int8: each
linear's input is rounded to int8 and back (one scale per token, per group of inputs, or per token with
the largest input columns kept exact, as LLM.int8() does), the weights kept exact or rounded to int8 the
same way, and the next-token argmax over 1,024 tokens of Alice teacher-forced is compared with float32's.
bfloat16 inputs are measured the same way, for comparison. Accuracy only: no timing (samples/bench/speed.md).

    python samples/speed/int8_agreement.py
"""

from __future__ import annotations

from pathlib import Path

import torch

from infinicli.model_store import load

ALICE = Path(__file__).resolve().parents[1] / "books" / "alices-adventures-in-wonderland.txt"


def rounded(x: torch.Tensor, group: int | None, outliers: float | None = None) -> torch.Tensor:
    """x (rows, k) rounded to int8 and back: one scale per `group` inputs of a row (None: the whole row);
    columns whose largest |value| passes `outliers` are left exact and do not set the scales."""
    rows, k = x.shape
    keep = x.abs().amax(0) > outliers if outliers is not None else None
    small = x if keep is None else x.masked_fill(keep, 0.0)
    g = group or k
    parts = small.reshape(rows, k // g, g)
    scale = parts.abs().amax(2, keepdim=True).clamp_min(1e-8) / 127
    out = ((parts / scale).round().clamp(-127, 127) * scale).reshape(rows, k)
    return out if keep is None else torch.where(keep, x, out)


def main() -> None:
    torch.manual_seed(0)
    loaded = load()
    model, tok = loaded.model, loaded.tokenizer
    ids = torch.tensor([tok(ALICE.read_text()[5000:20000])["input_ids"][:1024]])
    with torch.no_grad():
        ref = model(ids).logits[0]
    linears = [m for layer in model.model.layers for m in layer.modules() if isinstance(m, torch.nn.Linear)]

    def agreement(make) -> tuple[float, float]:
        saved = [(m, m.forward) for m in linears]
        for m in linears:
            m.forward = make(m)
        try:
            with torch.no_grad():
                logits = model(ids).logits[0]
        finally:
            for m, f in saved:
                m.forward = f
        return (logits.argmax(-1) == ref.argmax(-1)).float().mean().item(), (logits - ref).abs().max().item()

    def int8(group: int | None, weights_int8: bool, outliers: float | None = None):
        def make(m: torch.nn.Linear):
            w = m.weight.detach()
            w = rounded(w, group) if weights_int8 else w

            def forward(x: torch.Tensor) -> torch.Tensor:
                xr = rounded(x.reshape(-1, x.shape[-1]), group, outliers)
                return (xr @ w.t()).view(*x.shape[:-1], -1)
            return forward
        return make

    def bf16(m: torch.nn.Linear):
        w = m.weight.detach()
        return lambda x: x.bfloat16().float() @ w.t()

    rows = [("int8 per token, weights exact", int8(None, False)),
            ("int8 per token, weights int8 per row", int8(None, True)),
            ("int8 per token, columns > 3.0 exact (LLM.int8)", int8(None, False, 3.0)),
            ("int8 per 32 inputs (Q8_0), weights exact", int8(32, False)),
            ("int8 per 32 inputs, weights int8 per 32", int8(32, True)),
            ("bfloat16 inputs, weights exact", bf16)]
    print("| activations | argmax agreement | largest logit difference |\n|---|---|---|")
    for name, make in rows:
        agree, diff = agreement(make)
        print(f"| {name} | {agree:.3f} | {diff:.2f} |", flush=True)


if __name__ == "__main__":
    main()
