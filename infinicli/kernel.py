"""A C kernel for one decoded token's attention over an open span's keys (engine.OpenSpan), compiled
on first use for this machine and the model's shape, and called through ctypes.

torch's batched products read the carried keys at about a third of the memory's speed for a single
query (the AMD EPYC of samples/bench/speed.md: 15 ms a token for 30 layers of 3,990 keys, where
summing the same keys and values takes under 5), and `full` decodes 4K tokens in behind llama.cpp for
it. The kernel (data/kernels/attend_one.c) reads each key once, in order, and splits the work over
torch's threads.

It is built with the system's C compiler (`$CC`, else `cc` or `gcc`) into the model home's
`kernels/` folder, named by a hash of its source, flags, the model's shape and this CPU (it is built
with -march=native, so another CPU builds its own), written atomically. Without a compiler, or when
anything about it fails, or with INFINI_KERNELS=0, torch's products are used as before: the same
numbers within float32 rounding (test_attention), only slower. `status()` says which."""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import torch

from infinicli.model_store import infini_home

SOURCE = Path(__file__).parent / "data" / "kernels" / "attend_one.c"
# -ffast-math for compiling only: it lets the exponentials be vectorised (glibc's vector expf). Linked
# with it, the library would bring crtfastmath.o, whose constructor sets the CPU to flush subnormal
# floats to zero for the whole process when loaded (hypothesis noticed: test_fuzz).
FLAGS = ("-O3", "-march=native", "-ffast-math", "-fopenmp", "-fPIC")
LINK = ("-shared", "-fopenmp")
COMPILE_SECONDS = 120

_built: dict[tuple[int, int], object] = {}  # (G, D) -> the C function, or None when it cannot be had
_why: dict[tuple[int, int], str] = {}
_lock = threading.Lock()  # the C function keeps its partial results in static buffers


def enabled() -> bool:
    return os.environ.get("INFINI_KERNELS", "1") != "0"


def _cpu() -> str:
    """What -march=native compiles for: the CPU's model and flags."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        return "\n".join(next((x for x in lines if x.startswith(k)), "") for k in ("model name", "flags"))
    except OSError:
        return platform.processor() or platform.machine()


def _compiler() -> str | None:
    return os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")


def _build(g: int, d: int):
    cc = _compiler()
    if cc is None:
        raise RuntimeError("no C compiler (cc, gcc or $CC) found")
    defines = (f"-DG_={g}", f"-DD_={d}")
    tag = hashlib.sha256(b"\0".join([SOURCE.read_bytes(), " ".join(FLAGS + LINK + defines).encode(),
                                     _cpu().encode(), cc.encode()])).hexdigest()[:16]
    out = infini_home() / "kernels" / f"attend_one-{tag}.so"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".attend_one-", suffix=".so")
        os.close(fd)
        try:
            for step in ([cc, *FLAGS, *defines, "-c", str(SOURCE), "-o", tmp + ".o"],
                         [cc, *LINK, tmp + ".o", "-o", tmp, "-lm"]):
                run = subprocess.run(step, capture_output=True, text=True, timeout=COMPILE_SECONDS,
                                     stdin=subprocess.DEVNULL)
                if run.returncode != 0:
                    raise RuntimeError(f"{cc} failed: {run.stderr.strip()[-300:]}")
            os.replace(tmp, out)
        finally:
            for left in (tmp, tmp + ".o"):
                if os.path.exists(left):
                    os.unlink(left)
    fn = ctypes.CDLL(str(out)).attend_one
    p, n, i = ctypes.c_void_p, ctypes.c_long, ctypes.c_int
    fn.argtypes = [p, p, n, n, p, n, p, i, i, i, n, i]
    fn.restype = ctypes.c_int
    return fn


def function(g: int, d: int):
    """The compiled attend_one for g query heads per KV head and d dimensions, built once a process
    (None when it cannot be: status() says why)."""
    key = (g, d)
    if key not in _built:
        try:
            _built[key] = _build(g, d)
        except Exception as e:  # no compiler, no writable home, a failed build: torch's products serve
            _built[key], _why[key] = None, f"{type(e).__name__}: {e}"
    return _built[key]


def attend_one(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, scaling: float) -> torch.Tensor | None:
    """attention.local_attention for one query, q (Hq, 1, d), over k and v (Hkv, S, d) as an open
    span keeps them (k the transpose of a (Hkv, d, >= S) buffer, v rows of d in a (Hkv, >= S, d) one),
    float32, without gradients; None where the kernel does not apply or is not to be had."""
    if not enabled() or q.shape[-2] != 1 or {q.dtype, k.dtype, v.dtype} != {torch.float32}:
        return None
    if torch.is_grad_enabled() and (q.requires_grad or k.requires_grad or v.requires_grad):
        return None
    kt = k.transpose(-1, -2)
    h, d, s = kt.shape
    if q.shape[0] % h or kt.stride(2) != 1 or v.stride(2) != 1 or v.stride(1) != d:
        return None
    g = q.shape[0] // h
    fn = function(g, d)
    if fn is None:
        return None
    qs = (q.reshape(h, g, d) * scaling).contiguous()
    out = torch.empty(h, g, d)
    with _lock:
        rc = fn(qs.data_ptr(), kt.data_ptr(), kt.stride(0), kt.stride(1), v.data_ptr(), v.stride(0),
                out.data_ptr(), h, g, d, s, torch.get_num_threads())
    return out.view(h * g, 1, d) if rc == 0 else None


def status() -> str:
    """Which attention one decoded token gets: the C kernel, or torch's products and why."""
    if not enabled():
        return "torch (INFINI_KERNELS=0)"
    if not _built:
        return "C kernel (not built yet)" if _compiler() else "torch (no C compiler)"
    failed = [f"{g}x{d}: {_why[(g, d)]}" for (g, d), fn in _built.items() if fn is None]
    return "torch (" + "; ".join(failed) + ")" if failed else "C kernel"
