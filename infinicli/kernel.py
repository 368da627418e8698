"""A C kernel for one decoded token's attention over an open span's keys (engine.OpenSpan), compiled
on first use for this machine and the model's shape, and called through ctypes.

torch's batched products read the carried keys at about a third of the memory's speed for a single
query (the AMD EPYC of samples/bench/speed.md: 15 ms a token for 30 layers of 3,990 keys, where
summing the same keys and values takes under 5), and `full` decodes 4K tokens in behind llama.cpp for
it. The kernel (data/kernels/attend_one.c) reads each key once, in order, and splits the work over
torch's threads. A second function of the same library, rope_keys, ropes the span's carried keys and
writes them transposed in one pass. Built with KV_HALF (it needs AVX-512F, or AVX2 with F16C and FMA),
both take a span kept in float16, as llama.cpp keeps its cache, summing in float32: half the bytes a
decoded token reads.

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
from collections.abc import Callable
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

_built: dict[tuple[int, int, bool], object] = {}  # (G, D, half) -> the library, or None when it cannot be had
_why: dict[tuple[int, int, bool], str] = {}
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


def _compiled(source: Path, defines: tuple[str, ...] = ()) -> Path:
    """The shared library built from `source` with `defines` for this CPU, compiled now unless built before."""
    cc = _compiler()
    if cc is None:
        raise RuntimeError("no C compiler (cc, gcc or $CC) found")
    tag = hashlib.sha256(b"\0".join([source.read_bytes(), " ".join(FLAGS + LINK + defines).encode(),
                                     _cpu().encode(), cc.encode()])).hexdigest()[:16]
    out = infini_home() / "kernels" / f"{source.stem}-{tag}.so"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{source.stem}-", suffix=".so")
        os.close(fd)
        try:
            for step in ([cc, *FLAGS, *defines, "-c", str(source), "-o", tmp + ".o"],
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
    return out


def _build(g: int, d: int, half: bool):
    lib = ctypes.CDLL(str(_compiled(SOURCE, (f"-DG_={g}", f"-DD_={d}") + (("-DKV_HALF",) if half else ()))))
    p, n, i = ctypes.c_void_p, ctypes.c_long, ctypes.c_int
    lib.attend_one.argtypes = [p, p, n, n, p, n, p, i, i, i, n, i]
    lib.attend_one.restype = ctypes.c_int
    lib.rope_keys.argtypes = [p, n, n, p, p, n, p, n, n, i, i]
    lib.rope_keys.restype = None
    lib.decode_step.argtypes = [p, n, p, p, p, n, n, p, n, n, ctypes.c_float, p, i, i]
    lib.decode_step.restype = ctypes.c_int
    return lib


def library(g: int, d: int, half: bool = False):
    """The compiled kernels for g query heads per KV head and d dimensions, over keys and values kept in
    float32, or with `half` in float16 (that build needs AVX-512F, or AVX2 with F16C and FMA), built once
    a process (None when it cannot be: status() says why)."""
    key = (g, d, half)
    if key not in _built and d % 16:
        _built[key], _why[key] = None, f"a head of {d} dimensions (the kernels take multiples of 16)"
    if key not in _built:
        try:
            _built[key] = _build(g, d, half)
        except Exception as e:  # no compiler, no writable home, a failed build: torch's products serve
            _built[key], _why[key] = None, f"{type(e).__name__}: {e}"
    return _built[key]


def function(g: int, d: int, half: bool = False):
    """attend_one of library(g, d, half), or None."""
    lib = library(g, d, half)
    return None if lib is None else lib.attend_one


def half_spans(g: int, d: int) -> bool:
    """Whether an open span may keep its keys and values in float16: the kernels are enabled and their
    float16 build is had for this shape and CPU."""
    return enabled() and library(g, d, True) is not None


def attend_one(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, scaling: float) -> torch.Tensor | None:
    """attention.local_attention for one query, q (Hq, 1, d) float32, over k and v (Hkv, S, d) as an open
    span keeps them (k the transpose of a (Hkv, d, >= S) buffer, v rows of d in a (Hkv, >= S, d) one),
    both float32 or both float16, without gradients; None where the kernel does not apply or is not to
    be had."""
    half = k.dtype == torch.float16
    if not enabled() or q.shape[-2] != 1 or q.dtype != torch.float32 or {k.dtype, v.dtype} != {
            torch.float16 if half else torch.float32}:
        return None
    if torch.is_grad_enabled() and (q.requires_grad or k.requires_grad or v.requires_grad):
        return None
    kt = k.transpose(-1, -2)
    h, d, s = kt.shape
    if q.shape[0] % h or kt.stride(2) != 1 or v.stride(2) != 1 or v.stride(1) != d:
        return None
    g = q.shape[0] // h
    fn = function(g, d, half)
    if fn is None:
        return None
    qs = (q.reshape(h, g, d) * scaling).contiguous()
    out = torch.empty(h, g, d)
    with _lock:
        rc = fn(qs.data_ptr(), kt.data_ptr(), kt.stride(0), kt.stride(1), v.data_ptr(), v.stride(0),
                out.data_ptr(), h, g, d, s, torch.get_num_threads())
    return out.view(h * g, 1, d) if rc == 0 else None


def decode_step(qkv: torch.Tensor, pos: int, cos: torch.Tensor, sin: torch.Tensor, span, scaling: float,
                heads: int) -> torch.Tensor | None:
    """One decoded token's attention in an open span (engine.OpenSpan) in one call: qkv (1, (heads + 2 *
    Hkv) * d) float32, the token's queries, key and value as one projection made them (not roped); the
    queries and key roped at `pos` by the tables cos and sin ((positions, d), sin with rotate_half's sign
    folded in), the key and value appended to the span, and the queries' attention over its keys: (heads,
    1, d). None where the kernel does not apply (nothing appended then, the span unchanged)."""
    kt, v = span.kt, span.v
    half = kt.dtype == torch.float16
    h, d, room = kt.shape
    g = heads // h if h else 0
    if (not enabled() or qkv.dtype != torch.float32 or not qkv.is_contiguous() or qkv.numel() != (heads + 2 * h) * d
            or heads % h or span.n >= room or v.dtype != kt.dtype or kt.dtype not in (torch.float16, torch.float32)
            or kt.stride(2) != 1 or v.stride(2) != 1 or v.stride(1) != d or pos >= cos.shape[0]
            or not (cos.is_contiguous() and sin.is_contiguous()) or cos.shape[1] != d or sin.shape != cos.shape
            or cos.dtype != torch.float32 or sin.dtype != torch.float32):
        return None
    lib = library(g, d, half)
    if lib is None:
        return None
    out = torch.empty(heads, 1, d)
    with _lock:
        rc = lib.decode_step(qkv.data_ptr(), pos, cos.data_ptr(), sin.data_ptr(), kt.data_ptr(), kt.stride(0),
                             kt.stride(1), v.data_ptr(), v.stride(0), span.n, scaling, out.data_ptr(), h,
                             torch.get_num_threads())
    if rc != 0:
        return None
    span.n += 1
    return out


def rope_keys(k: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, at: int, kt: torch.Tensor, g: int) -> bool:
    """Rope k (Hkv, n, d) float32, rows of d, at positions at..at+n-1 of the tables cos and sin ((positions,
    d), sin with rotate_half's sign folded in, as engine._rope keeps them) and write it transposed into
    kt[:, :, at:at + n] of an open span's (Hkv, d, S) buffer, float32 or float16: one pass, where torch
    copies, transposes and ropes in several. False where the kernel does not apply (nothing written)."""
    half = kt.dtype == torch.float16
    h, n, d = k.shape
    if (not enabled() or k.dtype != torch.float32 or kt.dtype not in (torch.float16, torch.float32)
            or k.stride(2) != 1 or k.stride(1) != d or kt.stride(2) != 1 or kt.shape[:2] != (h, d)
            or at + n > min(kt.shape[2], cos.shape[0]) or not (cos.is_contiguous() and sin.is_contiguous())
            or cos.dtype != torch.float32 or sin.dtype != torch.float32 or cos.shape[1] != d or sin.shape != cos.shape):
        return False
    lib = library(g, d, half)
    if lib is None:
        return False
    if n:
        lib.rope_keys(k.data_ptr(), k.stride(0), n, cos.data_ptr(), sin.data_ptr(), at, kt.data_ptr(),
                      kt.stride(0), kt.stride(1), h, torch.get_num_threads())
    return True


INT4_SOURCE = Path(__file__).parent / "data" / "kernels" / "int4_rows.c"
INT4_GROUP = 32  # weights a 4-bit group holds along the input (precision.GROUP)
_int4: list = []  # [the library, or None when it cannot be had]
_int4_why = ""


def int4_library():
    """The compiled int4_rows (it needs AVX-512F, or AVX2 with FMA), built once a process; None when it cannot
    be had."""
    global _int4_why
    if not _int4 and enabled():
        try:
            lib = ctypes.CDLL(str(_compiled(INT4_SOURCE)))
            p, n = ctypes.c_void_p, ctypes.c_long
            lib.int4_rows.argtypes = [p, n, p, p, p, n, n, ctypes.c_int]
            lib.int4_rows.restype = ctypes.c_int
            lib.int4_rows_glu.argtypes = lib.int4_rows.argtypes
            lib.int4_rows_glu.restype = ctypes.c_int
            lib.rms_norm_rows.argtypes = [p, p, p, n, n, ctypes.c_float]
            lib.rms_norm_rows.restype = None
            lib.add_rms_norm_rows.argtypes = [p, p, p, p, n, n, ctypes.c_float]
            lib.add_rms_norm_rows.restype = None
            _int4.append(lib)
        except Exception as e:  # no compiler, no AVX-512F nor AVX2, no writable home: torch's 4-bit kernel serves
            _int4.append(None)
            _int4_why = f"{type(e).__name__}: {e}"
    return _int4[0] if _int4 and enabled() else None


def int4_form(codes: torch.Tensor, scale: torch.Tensor, low: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Codes (n, k) uint8 0..15 with their groups' scales and minimums (n, k / 32) as int4_rows takes them:
    the codes two a byte, a group's weight j in the low nibble of its byte j and weight j + 16 in the high
    one (the GGUF's Q4_1 order), and (n, k / 32, 2) float32 of scale then minimum."""
    n, k = codes.shape
    pairs = codes.view(n, k // INT4_GROUP, 2, INT4_GROUP // 2)
    packed = (pairs[:, :, 0] | (pairs[:, :, 1] << 4)).reshape(n, k // 2)
    return packed, torch.stack([scale.float(), low.float()], -1).contiguous()


GLU_ROWS = 8  # int4_rows_glu's most rows (its C source's)


def int4_product(packed: torch.Tensor, sm: torch.Tensor, glu: bool = False
                 ) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """A function of x (m, k) float32 that gives x times the int4_form weight (n, k) transposed, (m, n)
    float32, through int4_rows; None where the kernel is not to be had or the weight is not that form.
    With glu, x is (m, 2k), a gated MLP's gate then up, and the weight multiplies silu(gate) * up
    (int4_rows_glu, m <= GLU_ROWS). It keeps the weight's two tensors alive, and checks nothing of them
    again: a decoded token makes 120 such calls."""
    lib = int4_library()
    if lib is None or packed.dtype != torch.uint8 or packed.dim() != 2 or sm.dtype != torch.float32:
        return None
    n, k = packed.shape[0], 2 * packed.shape[1]
    if k % INT4_GROUP or sm.shape != (n, k // INT4_GROUP, 2) or not (packed.is_contiguous() and sm.is_contiguous()):
        return None
    fn, at, scales = lib.int4_rows_glu if glu else lib.int4_rows, packed.data_ptr(), sm.data_ptr()

    width = 2 * k if glu else k

    def product(x: torch.Tensor, _held=(packed, sm)) -> torch.Tensor:
        if x.dtype != torch.float32 or not x.is_contiguous():
            x = x.float().contiguous()
        if x.dim() != 2 or x.shape[1] != width:  # the C code would read past the rows
            raise ValueError(f"this int4 product takes rows of {width}, not {tuple(x.shape)}")
        out = torch.empty(x.shape[0], n)
        if fn(x.data_ptr(), x.shape[0], at, scales, out.data_ptr(), n, k, torch.get_num_threads()):
            raise ValueError(f"int4_rows_glu takes at most {GLU_ROWS} rows, not {x.shape[0]}")
        return out

    return product


def rms_norm(weight: torch.Tensor, eps: float) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """A Llama RMSNorm with this weight (d,) float32 as one C call (rms_norm_rows), for rows of float32
    without gradients; None where the kernel is not to be had. It keeps the weight alive."""
    lib = int4_library()
    if lib is None or weight.dtype != torch.float32 or weight.dim() != 1 or not weight.is_contiguous():
        return None
    fn, d, at = lib.rms_norm_rows, weight.shape[0], weight.data_ptr()

    def norm(x: torch.Tensor, _held=weight) -> torch.Tensor:
        if x.dtype != torch.float32 or not x.is_contiguous() or x.shape[-1] != d or x.requires_grad:
            return torch.nn.functional.rms_norm(x, (d,), _held, eps)
        out = torch.empty_like(x)
        fn(x.data_ptr(), at, out.data_ptr(), x.numel() // d, d, eps)
        return out

    return norm


def add_rms_norm(weight: torch.Tensor, eps: float
                 ) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None:
    """A function of (x, a): x += a in place, then rms_norm's of x, in one C call (add_rms_norm_rows); None
    where the kernel is not to be had."""
    lib = int4_library()
    if lib is None or weight.dtype != torch.float32 or weight.dim() != 1 or not weight.is_contiguous():
        return None
    fn, d, at = lib.add_rms_norm_rows, weight.shape[0], weight.data_ptr()

    def add_norm(x: torch.Tensor, a: torch.Tensor, _held=weight) -> torch.Tensor:
        if (x.dtype != torch.float32 or a.dtype != torch.float32 or not (x.is_contiguous() and a.is_contiguous())
                or x.shape != a.shape or x.shape[-1] != d or x.requires_grad or a.requires_grad):
            return torch.nn.functional.rms_norm(x.add_(a), (d,), _held, eps)
        out = torch.empty_like(x)
        fn(x.data_ptr(), a.data_ptr(), at, out.data_ptr(), x.numel() // d, d, eps)
        return out

    return add_norm


def int4_status() -> str:
    """What a decoded token's 4-bit projections and norms go through: the C kernel, or torch's and why."""
    if not enabled():
        return "torch (INFINI_KERNELS=0)"
    if not _int4:
        return "C kernel (not built yet)" if _compiler() else "torch (no C compiler)"
    return "C kernel, float32" if _int4[0] is not None else f"torch, bfloat16 ({_int4_why})"


def status() -> str:
    """Which attention one decoded token gets: the C kernel, or torch's products and why."""
    if not enabled():
        return "torch (INFINI_KERNELS=0)"
    if not _built:
        return "C kernel (not built yet)" if _compiler() else "torch (no C compiler)"
    failed = [f"{g}x{d}: {_why[(g, d, half)]}" for (g, d, half), lib in _built.items() if lib is None and not half]
    if failed:
        return "torch (" + "; ".join(failed) + ")"
    halves = [lib is not None for (_, _, half), lib in _built.items() if half]
    return "C kernel" + (", keys and values in float16" if halves and all(halves) else "")
