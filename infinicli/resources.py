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
