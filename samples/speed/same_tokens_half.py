"""Do the open span's float16 keys and values change what the engine writes? Greedy tokens with the span
in float16 (engine.half_spans, the session's choice for every precision but fp32) against float32, on 5
haystacks (seeds 1000-1004) x full, infini+recall and window, 33 tokens each, default model.

    python samples/speed/same_tokens_half.py      # about 3 min; samples/bench/speed-half/same_tokens.txt
"""

from infinicli.config import EngineConfig
from infinicli.session import Session
from infinicli.tasks.passkey import build


def main() -> None:
    session = Session.load(precision="fp16+int4")
    eng = session.engine
    same = total = 0
    for seed in range(1000, 1005):
        hay = build(session.tok, 4000, 0.5, seed)
        for method in ("full", "infini+recall", "window"):
            eng.configure(EngineConfig.for_method(method, segment=512, adaptive=False))
            eng.set_probe(hay.question)
            eng.reset()
            eng.read(hay.ids)
            outs = {}
            for half in (False, True):
                eng.half_spans = half
                outs[half] = eng.generate(hay.ids[-8:], 33)
            total += 1
            same += outs[True] == outs[False]
            text = session.tok.decode(outs[True])[:60].replace("\n", " ")
            print(seed, method, outs[True] == outs[False], text, flush=True)
    print(f"same tokens in {same} of {total}")


if __name__ == "__main__":
    main()
