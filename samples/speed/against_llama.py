"""The engine's decode rate against llama.cpp's, interleaved in one process on the same GGUF.

    python samples/speed/against_llama.py --precisions fp16+int4,fp16 --methods infini+recall,window

`infini bench speed` times llama.cpp after every method of every precision, minutes later; on a machine
whose speed moves by up to 2x from one minute to the next, its llama.cpp row and the engine's rows
compare minutes as much as code. Here each engine (one per precision, each set to one method in turn)
and llama.cpp (llama-cpp-python, the default model's Q4_1 GGUF, 2 threads, as in `bench speed`) have
read the same 4K-token haystack once, then generate 33 tokens greedily in turn, the order rotated every
round, with a pause before each. A rate is tokens after the first over their seconds (the first is the
prompt's pass); each round gives one ratio engine/llama.cpp, and the median ratio is the result.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

# seconds of rest before each arm: a thread pool (torch's OpenMP, ggml's) may spin a while after its work
# and take the cores from the next arm
PAUSE = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--precisions", default="fp16+int4,fp16")
    parser.add_argument("--methods", default="infini+recall")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--length", type=int, default=4000)
    args = parser.parse_args()

    import llama_cpp
    import torch

    from infinicli.config import EngineConfig
    from infinicli.session import Session
    from infinicli.tasks.passkey import build

    sessions = {p: Session.load(precision=p) for p in args.precisions.split(",")}
    first = next(iter(sessions.values()))
    hay = build(first.tok, args.length, 0.5, 12345)
    threads = torch.get_num_threads()
    llm = llama_cpp.Llama(model_path=first.info.file, n_ctx=len(hay.ids) + 64, n_batch=512, n_ubatch=512,
                          n_threads=threads, n_threads_batch=threads, verbose=False)
    llm.eval(hay.ids)

    def llama_rate() -> float:
        stamps = []
        for _ in llm.generate(hay.ids, top_k=1, temp=0.0):  # the haystack is in its cache: one token a step
            stamps.append(time.perf_counter())
            if len(stamps) == 33:
                break
        return (len(stamps) - 1) / (stamps[-1] - stamps[0])

    def engine_rate(engine) -> float:
        stamps: list[float] = []
        engine.generate(hay.ids[-8:], 33, on_token=lambda _: stamps.append(time.perf_counter()))
        return (len(stamps) - 1) / (stamps[-1] - stamps[0])

    print(f"{Path(first.info.file).name}, llama-cpp-python {llama_cpp.__version__}, {threads} threads, "
          f"{len(hay.ids)} tokens read", flush=True)
    for method in args.methods.split(","):
        cfg = EngineConfig.for_method(method, segment=512, adaptive=False, probe_heads=8)
        for s in sessions.values():
            s.engine.configure(cfg)
            s.engine.set_probe(hay.question if method == "infini+recall" else None)
            s.engine.read(hay.ids)
        arms = [*sessions, "llama.cpp"]
        rates: dict[str, list[float]] = {a: [] for a in arms}
        for i in range(args.rounds):
            for a in arms[i % len(arms):] + arms[:i % len(arms)]:
                time.sleep(PAUSE)
                rates[a].append(llama_rate() if a == "llama.cpp" else engine_rate(sessions[a].engine))
        for p in sessions:
            ratios = [e / x for e, x in zip(rates[p], rates["llama.cpp"])]
            print(f"{method} {p}: {statistics.median(rates[p]):.1f} tok/s, llama.cpp "
                  f"{statistics.median(rates['llama.cpp']):.1f}; engine/llama.cpp median "
                  f"{statistics.median(ratios):.3f} "
                  f"(from {min(ratios):.3f} to {max(ratios):.3f}, {args.rounds} rounds)", flush=True)


if __name__ == "__main__":
    main()
