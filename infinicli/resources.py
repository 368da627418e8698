"""What this machine gives a run: the cores it may use, and how much of the free memory one plan may
take (a saved state's buffers, a bench cell, the batch's workers), leaving the rest to everything else."""

from __future__ import annotations

import os

import psutil

FREE_SHARE = 0.8


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


def free_bytes() -> int:
    """Memory free for new work now (the OS's available memory, caches it can drop included)."""
    return psutil.virtual_memory().available


def fits(need_bytes: float, free: float | None = None) -> bool:
    """Whether `need_bytes` is within the share of the free memory a plan may take."""
    return need_bytes <= FREE_SHARE * (free_bytes() if free is None else free)


# the instruction sets a CPU's speed on this work turns on (fp16 and int8 GEMM kernels pick by them)
KERNEL_FLAGS = ("avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16", "amx_int8", "amx_bf16")


def cpu() -> dict:
    """The processor a measurement ran on: its model name and which of KERNEL_FLAGS it has (Linux's
    /proc/cpuinfo; empty where that is missing). Sessions here do not always get the same machine."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            text = f.read(1 << 16)
    except OSError:
        return {"model": "", "flags": []}
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    have = set(fields.get("flags", "").split())
    return {"model": fields.get("model name", ""), "flags": [f for f in KERNEL_FLAGS if f in have]}
