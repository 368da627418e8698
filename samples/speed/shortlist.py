"""How far down the 4-bit output copy's ranking the float32 output layer's choice sits (int4's
precision.ShortlistOutput), over real text: each token's final hidden state from the int4 model's
float32 read, its float32 argmax, and that token's rank among the 4-bit copy's scores (0 = its top).
The shortlist is exact for a token when the rank is below precision.SHORTLIST.

    python samples/speed/shortlist.py samples/books/alices-adventures-in-wonderland.txt --tokens 2048
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("text", type=Path)
    parser.add_argument("--tokens", type=int, default=2048)
    parser.add_argument("--start", type=int, default=20000, help="character offset to start at")
    args = parser.parse_args()

    from infinicli import precision
    from infinicli.session import Session

    session = Session.load(precision="int4")
    model = session.engine.model
    head = model.lm_head
    if not isinstance(head, precision.ShortlistOutput):
        raise SystemExit("this model's output layer is not shortlisted (its weight is not the embedding table)")
    ids = session.tok.encode(args.text.read_text()[args.start:])[: args.tokens]
    ranks, chosen_equal, seconds = [], 0, {"4-bit": 0.0, "fp32": 0.0, "shortlist": 0.0}
    with torch.inference_mode():
        hidden = torch.cat([model.model(torch.tensor([ids[i: i + 512]])).last_hidden_state[0]
                            for i in range(0, len(ids), 512)])
        for h in hidden:
            t0 = time.perf_counter()
            rough = head.approx(h[None])[0, : head.out_features]
            t1 = time.perf_counter()
            exact = head(h[None])[0]
            t2 = time.perf_counter()
            pick = head.next_token(h[None])
            t3 = time.perf_counter()
            seconds["4-bit"] += t1 - t0
            seconds["fp32"] += t2 - t1
            seconds["shortlist"] += t3 - t2
            best = int(exact.argmax())
            ranks.append(int((rough > rough[best]).sum()))
            chosen_equal += pick == best
    n = len(ranks)
    print(f"{n} tokens of {args.text.name}: the float32 choice's rank in the 4-bit ranking: "
          f"max {max(ranks)}, 99th percentile {sorted(ranks)[int(0.99 * (n - 1))]}, "
          f"at rank 0 {sum(r == 0 for r in ranks) / n:.1%}; beyond the shortlist of {precision.SHORTLIST}: "
          f"{sum(r >= precision.SHORTLIST for r in ranks)}")
    print(f"shortlist's choice = float32 argmax: {chosen_equal}/{n}")
    print("ms a token: " + ", ".join(f"{k} {1000 * v / n:.2f}" for k, v in seconds.items()))


if __name__ == "__main__":
    main()
