"""Reading speed and next-token agreement of --precision bf16+int4 against fp16+int4: both loaded in one
process, the same 4K-token haystack read by each in turn (infini+recall, 5 rounds), and 1,024 tokens of
Alice teacher-forced through each (their argmaxes compared). Needs a CPU with AVX-512 BF16 or AMX.

    python samples/speed/read_bf16_ab.py     # about 2 min; samples/bench/speed.md
"""

import statistics
import time
from pathlib import Path

import torch

from infinicli.config import EngineConfig
from infinicli.session import Session
from infinicli.tasks.passkey import build

ALICE = Path(__file__).resolve().parents[1] / "books" / "alices-adventures-in-wonderland.txt"


def main() -> None:
    sessions = {p: Session.load(precision=p) for p in ("fp16+int4", "bf16+int4")}
    tok = sessions["fp16+int4"].tok
    hay = build(tok, 4000, 0.5, 12345)
    ids = tok.encode(ALICE.read_text()[20000:60000])[:1024]
    choices, rates = {}, {p: [] for p in sessions}
    for p, s in sessions.items():
        s.engine.configure(EngineConfig.for_method("infini+recall", segment=512, adaptive=False))
        s.engine.set_probe(hay.question)
        with torch.inference_mode():
            choices[p] = s.engine.logits(ids).argmax(-1)
    same = (choices["fp16+int4"] == choices["bf16+int4"]).float().mean().item()
    print(f"teacher-forced next-token choices the same: {same:.3f} of {len(ids)}")
    for _ in range(5):
        for p, s in sessions.items():
            s.engine.reset()
            t0 = time.perf_counter()
            s.engine.read(hay.ids)
            rates[p].append(len(hay.ids) / (time.perf_counter() - t0))
    ratio = [b / a for a, b in zip(rates["fp16+int4"], rates["bf16+int4"])]
    print({p: [round(x) for x in v] for p, v in rates.items()},
          f"bf16+int4 / fp16+int4 median {statistics.median(ratio):.3f} (from {min(ratio):.3f} to {max(ratio):.3f})")


if __name__ == "__main__":
    main()
