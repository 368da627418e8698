"""How closely a decoded token's 4-bit products keep the default model's predictions: every linear layer's
input goes through the kernel a decoded token uses (all rows of a 1,024-token stretch of Alice at once,
teacher-forced), and the next-token argmax is compared with float32's. The default model's weights lie on
the 4-bit grid, so the kernels differ from float32 only in their arithmetic: the C kernel
(kernel.int4_rows) multiplies in float32, torch's 4-bit kernel rounds activations and outputs to bfloat16.

    python samples/speed/int4_agreement.py      # about 1 min
"""

from __future__ import annotations

import copy
from pathlib import Path

import torch

from infinicli import kernel, precision
from infinicli.model_store import load

ALICE = Path(__file__).resolve().parents[1] / "books" / "alices-adventures-in-wonderland.txt"


def main() -> None:
    loaded = load()
    model, tok = loaded.model, loaded.tokenizer
    ids = torch.tensor([tok(ALICE.read_text()[5000:20000])["input_ids"][:1024]])
    with torch.no_grad():
        ref = model(ids).logits[0]
    built = kernel.int4_library
    print(f"C kernel: {kernel.int4_status()}")
    for name, c_kernel in (("C kernel, float32", True), ("torch's 4-bit kernel, bfloat16", False)):
        if not c_kernel:
            kernel.int4_library = lambda: None  # as where the C kernel cannot be built
        elif built() is None:
            print(f"{name}: not built here")
            continue
        quarter = copy.deepcopy(model)
        precision.apply(quarter, "int4")
        limits = precision.C_ROWS, precision.DECODE_ROWS
        precision.C_ROWS = precision.DECODE_ROWS = 1 << 20  # every row through the decoding kernel
        try:
            with torch.no_grad():
                logits = quarter(ids).logits[0]
        finally:
            precision.C_ROWS, precision.DECODE_ROWS = limits
            kernel.int4_library = built
        agree = (logits.argmax(-1) == ref.argmax(-1)).float().mean().item()
        print(f"{name}: next-token argmax as float32's {agree:.4f}, largest logit difference "
              f"{(logits - ref).abs().max().item():.4f} (logits up to {ref.abs().max().item():.1f})", flush=True)


if __name__ == "__main__":
    main()
