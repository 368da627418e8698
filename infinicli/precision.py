"""The precision of the model's weights: float32 as loaded, or float16 for every linear layer.

fp16 keeps each linear layer's weight in half precision, packed for fbgemm's fp16 GEMM; activations
and accumulation stay float32. Decoding a token reads every weight once, and the fp16 kernel does it
faster where bandwidth limits it: at 4K tokens infini+recall decoded 11.8 -> 16.5 tok/s on a 2-core
AVX2 machine; on a 2-core AVX-512 one, whose float32 kernels keep up, the two were within run-to-run
noise (samples/bench/speed.md).
It saves no memory: fbgemm's packed form takes about as much as the float32 weight. Results differ
from float32 by the weights' rounding only: on 1,024 tokens of each sample novel, 99.9-100 % of the
next-token argmaxes agree and logits stay within 0.04. The embedding table stays float32 (it is
looked up, not multiplied). int8 (torch's dynamic quantization, activations quantized per tensor)
was measured and rejected: this model's activation outliers cost it half its argmax agreement.

Training needs float32: the fp16 kernel has no backward.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import mmap
import sys

import torch

from infinicli.errors import ModelError

PRECISIONS = ("fp32", "fp16")
DEFAULT_PRECISION = "fp16"
_ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")
_MLP = ("gate_proj", "up_proj", "down_proj")


def fp16_available() -> bool:
    """Whether this torch build has fbgemm's fp16 linear (x86 builds do)."""
    try:
        torch.ops.quantized.linear_prepack_fp16(torch.zeros(1, 1), None)
    except (AttributeError, RuntimeError, NotImplementedError):
        return False
    return True


class HalfLinear(torch.nn.Module):
    """A linear layer whose weight is kept in float16, packed for fbgemm; float32 in and out."""

    def __init__(self, linear: torch.nn.Linear) -> None:
        super().__init__()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        bias = None if linear.bias is None else linear.bias.detach().float()
        self.packed = torch.ops.quantized.linear_prepack_fp16(linear.weight.detach().float(), bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        lead = x.shape[:-1]
        y = torch.ops.quantized.linear_dynamic_fp16(x.reshape(-1, self.in_features), self.packed)
        return y.view(*lead, self.out_features)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, weight=float16"


MADV_PAGEOUT = 21  # Linux 5.4+: reclaim these pages now; a mapped file's are read again if touched


def page_out(t: torch.Tensor) -> None:
    """Let the kernel take back the pages of a float32 weight once it is packed: they belong to the
    weights file mapped at load, and would otherwise stay in the process's RSS until the mapping
    closes, so the peak while packing held the float32 and the fp16 copies at once (measured, loading
    the default model: peak RSS 1,406 MB without this, 1,003 MB with it; float32 973 MB). MADV_PAGEOUT
    loses nothing (a page touched again is read back), so a tensor in ordinary memory is safe too;
    where the call is missing or refused, nothing happens."""
    if sys.platform != "linux" or t.numel() == 0:
        return
    page = mmap.PAGESIZE
    start = t.data_ptr()
    lo, hi = -(-start // page) * page, (start + t.numel() * t.element_size()) // page * page
    madvise = _madvise()
    if hi > lo and madvise is not None:
        madvise(ctypes.c_void_p(lo), ctypes.c_size_t(hi - lo), MADV_PAGEOUT)


@functools.cache
def _madvise():
    """libc's madvise, looked up once; None where it cannot be found."""
    try:
        return ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None


def apply(model, precision: str) -> None:
    """Set the weights of a loaded Llama-family model to `precision`, in place (fp32: unchanged)."""
    if precision not in PRECISIONS:
        raise ModelError(f"precision {precision!r} is not one of {', '.join(PRECISIONS)}")
    if precision == "fp32":
        return
    if not fp16_available():
        raise ModelError("this torch build has no fp16 linear kernel (fbgemm); use --precision fp32")
    if next(model.parameters()).dtype != torch.float32:
        raise ModelError("fp16 weights are made from a float32 model")
    for layer in model.model.layers:
        for owner, names in ((layer.self_attn, _ATTENTION), (layer.mlp, _MLP)):
            for name in names:
                linear = getattr(owner, name)
                setattr(owner, name, HalfLinear(linear))
                page_out(linear.weight)
    # The output layer may share its weight with the embedding table, which stays float32 for lookup.
    model.lm_head = HalfLinear(model.lm_head)
    model.config.tie_word_embeddings = False
    # What stays float32 (the embedding table, the norms) is copied off the file the weights were mapped
    # from, so the mapping closes: packing touched all its pages, and while it is open they count in the
    # process's RSS (measured: 1,328 MB after packing, 916 MB once the copies let it go; float32: 970 MB).
    for module in model.modules():
        for name, param in list(module.named_parameters(recurse=False)):
            setattr(module, name, torch.nn.Parameter(param.detach().clone(), requires_grad=param.requires_grad))
    gc.collect()
