"""Does a decoded token's 4-bit path change what the engine writes? Greedy tokens of the default precision
(fp16+int4) against float32 (fp32: the same weights, since the default model's lie on the 4-bit grid), on
haystacks of 4K tokens x full, infini+recall and window, 33 tokens each. Run it once as is (the C kernel,
kernel.int4_rows, float32 products) and once with --torch-int4 (torch's 4-bit kernel, bfloat16, as where
the C kernel cannot be built):

    python samples/speed/same_tokens_int4.py                    # about 4 min
    python samples/speed/same_tokens_int4.py --torch-int4

Reading differs between the two precisions too (fp16 readers against float32), so a token may differ
for that; the two runs differ only in the decoding.
"""

import argparse

from infinicli import kernel
from infinicli.config import EngineConfig
from infinicli.session import Session
from infinicli.tasks.passkey import build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--torch-int4", action="store_true", help="torch's 4-bit kernel, not the C one")
    args = parser.parse_args()
    if args.torch_int4:
        kernel.int4_library = lambda: None  # as on a machine where it cannot be built
    sessions = {p: Session.load(precision=p) for p in ("fp32", "fp16+int4")}
    print("4-bit products:", "torch, bfloat16" if args.torch_int4 else kernel.int4_status(), flush=True)
    tok = sessions["fp32"].tok
    same = total = 0
    for seed in range(1000, 1000 + args.seeds):
        hay = build(tok, 4000, 0.5, seed)
        for method in ("full", "infini+recall", "window"):
            outs = {}
            for name, session in sessions.items():
                eng = session.engine
                eng.configure(EngineConfig.for_method(method, segment=512, adaptive=False))
                eng.set_probe(hay.question)
                eng.reset()
                eng.read(hay.ids)
                outs[name] = eng.generate(hay.ids[-8:], 33)
            agree = outs["fp32"] == outs["fp16+int4"]
            first = next((i for i, (a, b) in enumerate(zip(outs["fp32"], outs["fp16+int4"])) if a != b), None)
            total += 1
            same += agree
            text = tok.decode(outs["fp16+int4"])[:60].replace("\n", " ")
            print(seed, method, "same" if agree else f"differs from token {first}", repr(text), flush=True)
    print(f"the same 33 tokens as float32 in {same} of {total}")


if __name__ == "__main__":
    main()
