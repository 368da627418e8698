"""How fast is one decoded token's attention over a 4K span, per build of the C kernel? The float32 and
float16 spans, each built for this CPU (-march=native) and as for a CPU with AVX2, F16C and FMA but no
AVX-512 (the same flags and -mno-avx512f), timed here interleaved:

    python samples/speed/attend_isa.py [--keys 3990] [--layers 30] [--rounds 40] [--before FILE]

A token's attention is `layers` calls of kernel.attend_one (3 KV heads of 3 query heads, 64 dimensions:
the default model's shape) over `keys` keys and values as engine.OpenSpan keeps them; the median of
`rounds` tokens is printed per build, with the bytes a token reads over its time. Each build goes to a
temporary INFINI_HOME. --before adds the builds of another version of attend_one.c (e.g. `git show
REV:infinicli/data/kernels/attend_one.c > /tmp/before.c`), timed in the same rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import torch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keys", type=int, default=3990)
    ap.add_argument("--layers", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--before", type=str, help="another version of attend_one.c, timed beside")
    args = ap.parse_args()
    os.environ["INFINI_HOME"] = tempfile.mkdtemp()
    from infinicli import kernel

    base, source = kernel.FLAGS, kernel.SOURCE
    h, g, d, s = 3, 3, 64, args.keys
    torch.manual_seed(0)
    q = torch.randn(h * g, 1, d)
    spans = {dtype: [(torch.randn(h, d, s + 64).to(dtype), torch.randn(h, s + 64, d).to(dtype))
                     for _ in range(args.layers)] for dtype in (torch.float32, torch.float16)}
    builds = {}
    versions = [("", source)] + ([("before ", args.before)] if args.before else [])
    for version, path in versions:
        for isa, extra in (("native", ()), ("avx2+f16c", ("-mno-avx512f",))):
            for dtype in (torch.float32, torch.float16):
                kernel.FLAGS, kernel.SOURCE, kernel._built = base + extra, Path(path), {}
                fn = kernel.function(g, d, dtype == torch.float16)
                if fn is None:
                    print(f"{version}{isa} {str(dtype).split('.')[-1]}: this source does not build for it")
                    continue
                builds[(version + isa, str(dtype).split('.')[-1])] = (fn, spans[dtype])
    times: dict = {k: [] for k in builds}
    qs = (q.reshape(h, g, d) * d ** -0.5).contiguous()
    out = torch.empty(h, g, d)
    for _ in range(args.rounds):
        for key, (fn, layers) in builds.items():
            t = time.perf_counter()
            for kt, v in layers:
                fn(qs.data_ptr(), kt.data_ptr(), kt.stride(0), kt.stride(1), v.data_ptr(), v.stride(0),
                   out.data_ptr(), h, g, d, s, torch.get_num_threads())
            times[key].append(time.perf_counter() - t)
    print(f"{args.layers} layers x {s} keys, {torch.get_num_threads()} threads, median of {args.rounds}:")
    for (isa, dtype), ts in times.items():
        ms = statistics.median(ts) * 1e3
        size = 2 if dtype == "float16" else 4
        gb = args.layers * 2 * h * s * d * size / 1e9
        print(f"  {isa:17s} {dtype:8s} {ms:6.2f} ms a token  ({gb / (ms / 1e3):5.1f} GB/s)")


if __name__ == "__main__":
    main()
