"""Decode speed of two versions of the engine, interleaved in one process on one shared model.

    git worktree add /tmp/before REV
    python samples/speed/decode_ab.py /tmp/before --precision int4 --methods infini,infini+recall

On a machine whose speed moves by up to 2x from one minute to the next, two runs one after the other
compare the minutes more than the code. Here the engine of the worktree (its engine.py and
attention.py and kernel.py, loaded beside this checkout's) and this checkout's read the same 4K-token haystack, then
generate 33 tokens in turn, the order swapped every round; each round gives one ratio new/old of the
decode rate (tokens after the first over their seconds), and the median ratio is the result; the
first token's time (the 8-token prompt's pass) is reported apart, as medians. The
greedy tokens of the two are compared too.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import statistics
import sys
import time
import types
from pathlib import Path


def old_engine(worktree: Path):
    """The worktree's InfiniModel, with its own attention and kernel modules (the kernel built from the
    worktree's C source)."""
    path = worktree / "infinicli" / "kernel.py"
    kernel = types.ModuleType("old_kernel")
    kernel.__file__ = str(path)
    sys.modules["old_kernel"] = kernel
    exec(compile(path.read_text(), str(path), "exec"), kernel.__dict__)  # our own worktree's code
    spec = importlib.util.spec_from_file_location("old_attention", worktree / "infinicli" / "attention.py")
    attention = importlib.util.module_from_spec(spec)
    sys.modules["old_attention"] = attention
    spec.loader.exec_module(attention)
    path = worktree / "infinicli" / "engine.py"
    source = path.read_text().replace("from infinicli.attention import", "from old_attention import").replace(
        "from infinicli import kernel\n", "import old_kernel as kernel\n")
    module = types.ModuleType("old_engine")
    module.__file__ = str(path)
    sys.modules["old_engine"] = module
    exec(compile(source, str(path), "exec"), module.__dict__)  # our own worktree's code, not an input
    return module.InfiniModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("worktree", type=Path, help="a checkout of the version to compare against")
    parser.add_argument("--precision", default="int4")
    parser.add_argument("--methods", default="infini,infini+recall")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    import torch

    from infinicli import bench
    from infinicli.config import EngineConfig
    from infinicli.session import Session
    from infinicli.tasks.passkey import build

    before = old_engine(args.worktree)
    session = Session.load(precision=args.precision)
    hay = build(session.tok, 4000, 0.5, 12345)
    new = session.engine
    model = new.model
    if not hasattr(before, "_next_token") and hasattr(model.lm_head, "next_token"):
        # a version from before the int4 output shortlist (precision.ShortlistOutput) had an fp16 output
        # layer: give it that, on a shallow copy of the model that shares every other part
        from infinicli.precision import HalfLinear

        model = copy.copy(model)
        model._modules = dict(model._modules)
        weight = model.lm_head.weight
        model.lm_head = HalfLinear(torch.nn.Linear(weight.shape[1], weight.shape[0], bias=False))
        model.lm_head.packed = torch.ops.quantized.linear_prepack_fp16(weight.detach(), None)
    old = before(model, new.config)
    old.set_probe_heads(new.probe_heads)

    def rate(engine) -> tuple[float, float]:
        """Decode tok/s after the first token, and the first token's milliseconds (the prompt's pass)."""
        stamps: list[float] = []
        t0 = time.perf_counter()
        engine.generate(hay.ids[-8:], 33, on_token=lambda _: stamps.append(time.perf_counter()))
        return bench.after_first(stamps), 1000 * (stamps[0] - t0)

    for method in args.methods.split(","):
        cfg = EngineConfig.for_method(method, segment=512, adaptive=False, probe_heads=8)
        for engine in (old, new):
            engine.configure(cfg)
            engine.set_probe(hay.question if method == "infini+recall" else None)
            engine.read(hay.ids)
        rates: dict[str, list[float]] = {"old": [], "new": []}
        firsts: dict[str, list[float]] = {"old": [], "new": []}
        for i in range(args.rounds):
            order = (("old", old), ("new", new)) if i % 2 == 0 else (("new", new), ("old", old))
            for name, engine in order:
                r, first = rate(engine)
                rates[name].append(r)
                firsts[name].append(first)
        same = old.generate(hay.ids[-8:], 33) == new.generate(hay.ids[-8:], 33)
        ratios = [n / o for n, o in zip(rates["new"], rates["old"])]
        print(f"{method}: old {statistics.median(rates['old']):.1f}, new {statistics.median(rates['new']):.1f} "
              f"tok/s; new/old median {statistics.median(ratios):.3f} (from {min(ratios):.3f} to "
              f"{max(ratios):.3f}); first token old {statistics.median(firsts['old']):.0f}, new "
              f"{statistics.median(firsts['new']):.0f} ms; same tokens: {same}", flush=True)


if __name__ == "__main__":
    main()
