"""The precision of the model's weights: float32 as loaded, float16 or 4 bits for every linear layer.

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

int4 (Int4Linear) keeps each weight as a 4-bit code, as the default model's Q4_1 GGUF has them, so
nothing is lost in storing them; a decoded token goes through a C kernel in float32 (kernel.int4_rows,
where it builds: AVX-512F or AVX2), else torch's 4-bit kernel in bfloat16; a segment is read in float32; q/k/v
and gate/up are stacked into one 4-bit layer each (stack_int4); an output layer that shares the embedding
table's weight shortlists the next token in 4 bits and chooses in float32 (ShortlistOutput). Next-token
argmaxes as float32's on 1,024 teacher-forced tokens of Alice (samples/speed/int4_agreement.py): 100 %
through the C kernel (logits within 1e-4), 98.6-99.1 % through torch's. Measured beside fp16 on one
machine in one session: decode 46.3 against 27.1 tok/s at 4K (infini+recall), reading 0.96x fp16's
(interleaved in one process), the summaries of the sample book 172-178 against 166 s, Jekyll 103-104
against 92 s, Alice 119 against 113 s, with 1,131 against 1,292 MB peak RSS; the pass key kept at 4K and
32K. Every command's time is mostly reading, so int4 alone did not become the default.

fp16+int4 reads as fp16 and decodes as int4: each int4 layer also holds an fp16 layer of the original
weights (q/k/v and gate/up stacked) that reads more than DECODE_ROWS rows, and lets go of the codes
kept for dequantizing (read_with_fp16). Measured: 51 MB more steady RSS than fp16 after loading,
reading 1.078x fp16's (interleaved; the stacked fp16 calls), decoding 38.3 against fp16's 20.2 and
llama.cpp's 33.0 tok/s in one run. It is the default: its reading rounds differently from fp16's in the
last bits, which moved the summary's quotes in near ties until the quotes were ranked by their words
alone among the candidates the attention chose (tasks/summarize.py); now the three books' summaries
differ from fp16's in 1, 1 and 2 sections' quotes, covering the same chapters (samples/bench/README.md).

bf16+int4 reads with bfloat16 layers (BFloatLinear) in place of fp16+int4's fp16 ones: on a CPU that
multiplies bfloat16 in hardware (AVX-512 BF16 or AMX; refused on any other, where bfloat16 products were
3-4x slower than float32), 2.2-2.6x the fp16 layers' products at 512 rows, about 1.2x fp16+int4's reading.
Not the default: a command's output would then hang on which CPU ran it.

Training needs float32: the fp16 kernel has no backward.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import mmap
import sys

import torch

from infinicli import kernel
from infinicli.errors import ModelError

PRECISIONS = ("fp32", "fp16", "int4", "fp16+int4", "bf16+int4")
DEFAULT_PRECISION = "fp16+int4"
_ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")
_MLP = ("gate_proj", "up_proj", "down_proj")
_STACKED = ("q_proj", "k_proj", "v_proj", "gate_proj", "up_proj")  # int4: one layer each for q/k/v, gate/up


def fp16_available() -> bool:
    """Whether this torch build has fbgemm's fp16 linear (x86 builds do)."""
    try:
        torch.ops.quantized.linear_prepack_fp16(torch.zeros(1, 1), None)
    except (AttributeError, RuntimeError, NotImplementedError):
        return False
    return True


class HalfLinear(torch.nn.Module):
    """A linear layer whose weight is kept in float16, packed for fbgemm; float32 in and out."""

    def __init__(self, linear: torch.nn.Linear | torch.Tensor) -> None:
        """From a linear layer, or from a weight (out, in) alone (no bias)."""
        super().__init__()
        weight, bias = (linear, None) if isinstance(linear, torch.Tensor) else (linear.weight, linear.bias)
        self.out_features, self.in_features = weight.shape
        bias = None if bias is None else bias.detach().float()
        self.packed = torch.ops.quantized.linear_prepack_fp16(weight.detach().float(), bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        lead = x.shape[:-1]
        y = torch.ops.quantized.linear_dynamic_fp16(x.reshape(-1, self.in_features), self.packed)
        return y.view(*lead, self.out_features)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, weight=float16"


def bf16_fast() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AVX-512 BF16 or AMX): without, torch's bfloat16
    products were 3-4x slower than float32 (the Intel and the first AMD machines of samples/bench/speed.md)."""
    from infinicli.resources import cpu

    return bool({"avx512_bf16", "amx_bf16"} & set(cpu()["flags"]))


class BFloatLinear(torch.nn.Module):
    """A linear layer whose weight is kept in bfloat16, its input rounded to bfloat16 for the product and
    its output float32: bf16+int4's reader. Where the CPU has AVX-512 BF16, 2.2-2.6x the float32 or
    fp16 (fbgemm) products at 512 rows (2 cores, samples/bench/speed.md)."""

    def __init__(self, weight: torch.Tensor) -> None:
        super().__init__()
        self.out_features, self.in_features = weight.shape
        self.weight = weight.detach().to(torch.bfloat16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.linear(x.to(torch.bfloat16), self.weight).float()

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, weight=bfloat16"


GROUP = 32  # weights per 4-bit group along the input: the GGUF's Q4_1 blocks
# Up to this many rows go through the 4-bit kernel; more are multiplied in float32 by the weight dequantized
# for the call. Measured per call (2 cores): the kernel takes 40-70 us for one row and grows with rows;
# dequantizing takes about 0.5 ms whatever the rows; they cross near 128 rows.
DECODE_ROWS = 64
# Up to this many rows go through the C kernel (kernel.int4_rows) where it is built, in float32. Measured over
# the default model's 120 layer weights (2 cores, AMD EPYC, one row each): 3.5 ms against torch's kernel's 5.3;
# at 8 rows 13.3 against 13.0 and fbgemm's fp16 12.9, at 32 rows 66.5 against 43.9 and 37.7: more rows read
# with the fp16 reader (fp16+int4) or torch's kernel.
C_ROWS = 4
PACK_ROWS = 64  # _convert_weight_to_int4pack_for_cpu packs output rows in blocks of this many (measured)
CHUNK_ROWS = 64 * PACK_ROWS  # rows quantized and packed at a time


def int4_available() -> bool:
    """Whether this torch build has the CPU 4-bit weight kernels (torch 2.6+ on x86)."""
    try:
        q = torch.zeros(16, 2 * GROUP, dtype=torch.int32)
        packed = torch.ops.aten._convert_weight_to_int4pack_for_cpu(q, 2)
        torch.ops.aten._weight_int4pack_mm_for_cpu(torch.zeros(1, 2 * GROUP, dtype=torch.bfloat16), packed, GROUP,
                                                   torch.zeros(2, 16, 2, dtype=torch.bfloat16))
    except (AttributeError, RuntimeError, NotImplementedError):
        return False
    return True


class Int4Linear(torch.nn.Module):
    """A linear layer whose weight is kept as 4-bit codes: each group of GROUP weights along the input as
    integers 0..15 with a scale and a minimum (w = q * scale + min), the layout of the GGUF's Q4_1, held
    for each kernel (two codes a byte, and float32 scales and minimums, 0.75 bytes a weight, for the C one;
    two a byte with bfloat16 scales, 0.56, for torch's) and one a byte for dequantizing, until a reader
    takes the rows the kernels do not (kernel_only: the C kernel's form alone stays where it is built). The
    default model's weights come from a Q4_1 file and lie on that grid exactly, so nothing is lost in
    storing them (test_real_model checks it); another model's are rounded to it.

    A decoded token (C_ROWS rows or fewer) goes through the C kernel (kernel.int4_rows) where it is built:
    float32 products with the weights themselves, float32's results within rounding. Elsewhere, and for up
    to DECODE_ROWS rows without a reader, torch's 4-bit kernel, which takes and gives bfloat16: its rounding
    of activations and outputs is where results differ from float32. More rows (reading a segment) are
    multiplied in float32 by the weight dequantized for the call, so reading keeps float32's results; the
    float32 weight lives only for that call."""

    def __init__(self, linear: torch.nn.Linear, pack: bool = True) -> None:
        """pack False: the kernel's packed form is left out, for a part that `stacked` will copy (its
        forward then runs through a view of the stacked layer, `rows`)."""
        super().__init__()
        if linear.bias is not None:
            raise ModelError("int4 needs bias-free linear layers")
        self._hold(*self.quantized(linear.weight.detach().float()), pack=pack)

    @staticmethod
    def quantized(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """A float32 weight (n, k) as 4-bit codes (n, k) uint8, scales and minimums (n, k / GROUP)."""
        n, k = w.shape
        if k % (2 * GROUP) or n % 16:  # what the kernel's packing takes
            raise ModelError(f"int4 needs linear layers of 16n outputs and {2 * GROUP}n inputs")
        codes = torch.empty(n, k, dtype=torch.uint8)
        scale, low = torch.empty(n, k // GROUP), torch.empty(n, k // GROUP)
        for a in range(0, n, CHUNK_ROWS):  # a few rows at a time: the temporaries stay small
            g = w[a: a + CHUNK_ROWS].reshape(-1, k // GROUP, GROUP)
            lo = torch.amin(g, -1, out=low[a: a + CHUNK_ROWS])
            sc = torch.div(g.amax(-1) - lo, 15, out=scale[a: a + CHUNK_ROWS])
            q = torch.where(sc[..., None] > 0, torch.round((g - lo[..., None]) / sc[..., None].clamp_min(1e-30)),
                            torch.zeros_like(g))
            codes[a: a + CHUNK_ROWS] = q.clamp(0, 15).view(-1, k)
        return codes, scale, low

    @staticmethod
    def packed_codes(codes: torch.Tensor) -> torch.Tensor:
        """The kernel's form of codes (n, k), packed CHUNK_ROWS rows at a time (it wants them as int32:
        four times the codes' bytes): its rows are blocks of PACK_ROWS, each packed alone."""
        pack = torch.ops.aten._convert_weight_to_int4pack_for_cpu
        rows = range(0, codes.shape[0], CHUNK_ROWS)
        return torch.cat([pack(codes[a: a + CHUNK_ROWS].to(torch.int32), 2) for a in rows])

    def _hold(self, codes: torch.Tensor, scale: torch.Tensor, low: torch.Tensor,
              packed: torch.Tensor | None = None, pack: bool = True, rows_form: tuple | None = None) -> None:
        self.out_features, self.in_features = codes.shape
        if packed is None and pack:
            packed = self.packed_codes(codes)
        self.register_buffer("codes", codes, persistent=False)  # one a byte: unpacking nibbles doubled the dequantizing
        self.register_buffer("scale", scale, persistent=False)  # (n, k / GROUP) float32
        self.register_buffer("low", low, persistent=False)
        self.register_buffer("packed", packed, persistent=False)  # (n, k / 2), one output row after another
        # the kernel's form: w = (q - 8) * scale + zero, per (group, output), in bfloat16
        self.register_buffer("scale_zero", torch.stack([scale.t(), (low + 8 * scale).t()], -1).to(torch.bfloat16)
                             .contiguous(), persistent=False)
        self._kernel = (self.packed, self.scale_zero)  # plain attributes: a buffer's lookup goes through Module
        # C_ROWS rows or fewer in float32 through kernel.int4_rows, where it is built (AVX-512F or AVX2)
        if rows_form is None and pack and kernel.int4_library() is not None:
            rows_form = kernel.int4_form(codes, scale, low)
        self._rows = kernel.int4_product(*rows_form) if rows_form is not None else None
        self._rows_form = rows_form

    @classmethod
    def of_codes(cls, codes: torch.Tensor, scale: torch.Tensor, low: torch.Tensor,
                 packed: torch.Tensor | None = None, rows_form: tuple | None = None) -> Int4Linear:
        """A layer on codes already made (quantized, or another layer's): packed for the kernels unless
        `packed` (torch's) and `rows_form` (kernel.int4_form) are given."""
        layer = cls.__new__(cls)
        torch.nn.Module.__init__(layer)
        layer._hold(codes, scale, low, packed, rows_form=rows_form)
        return layer

    @classmethod
    def stacked(cls, parts: list[Int4Linear]) -> Int4Linear:
        """One layer whose outputs are the parts' outputs one after another (q, k and v; gate and up), so
        a decoded token makes one kernel call instead of one per part; the parts' codes are copied, not
        quantized again."""
        return cls.of_codes(*(torch.cat([getattr(p, name) for p in parts]) for name in ("codes", "scale", "low")))

    def rows(self, start: int, stop: int) -> Int4Linear:
        """Outputs start..stop-1 alone, on this layer's own codes: views, so no weight is copied. The kernel
        packs rows in blocks of PACK_ROWS, so a part that starts or stops inside a block is packed anew."""
        aligned = start % PACK_ROWS == 0 and stop % PACK_ROWS == 0
        form = self._rows_form
        part = self.of_codes(self.codes[start:stop], self.scale[start:stop], self.low[start:stop],
                             self.packed[start:stop] if aligned else None,
                             tuple(t[start:stop] for t in form) if form is not None else None)
        part.view = True
        return part

    view = False  # True for rows() of another layer: its bytes are that layer's
    reader = None  # what reads more than DECODE_ROWS rows instead of the dequantized weight (read_with)

    def read_with(self, reader) -> None:
        """Read more than DECODE_ROWS rows with `reader` (fp16+int4: an fp16 layer of the same weight)
        and let go of the codes kept for dequantizing; only the kernel's form stays. A plain attribute,
        not a submodule: a decoded token never reads it."""
        self.__dict__["reader"] = reader
        self.kernel_only()

    def kernel_only(self) -> None:
        """Let go of the codes, scales and minimums kept for dequantizing: only the kernels' forms stay,
        for DECODE_ROWS rows or fewer (more need a reader: read_with). With the C kernel, torch's form goes
        too: more than C_ROWS rows then need a reader."""
        self.codes = self.scale = self.low = None
        if self._rows is not None:
            self.packed = self.scale_zero = None
            self._kernel = None

    def dequantized(self) -> torch.Tensor:
        """The weight in float32, (out, in)."""
        q = self.codes.view(self.out_features, -1, GROUP).float()  # in place after: one float32 copy, not three
        return q.mul_(self.scale[..., None]).add_(self.low[..., None]).view(self.out_features, self.in_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = x.reshape(-1, self.in_features)
        if rows.shape[0] <= C_ROWS and self._rows is not None:
            y = self._rows(rows)
        elif rows.shape[0] <= DECODE_ROWS and self._kernel is not None:
            packed, scale_zero = self._kernel
            y = torch.ops.aten._weight_int4pack_mm_for_cpu(rows.to(torch.bfloat16), packed, GROUP, scale_zero).float()
        elif self.reader is not None:
            y = self.reader(rows)
        else:
            y = torch.nn.functional.linear(rows.float(), self.dequantized())
        return y.view(*x.shape[:-1], self.out_features)

    def decode_bytes(self) -> int:
        """Bytes a decoded token reads of this weight: the C kernel's form where it serves, else torch's."""
        held = self._rows_form if self._rows is not None else (self.packed, self.scale_zero)
        return sum(t.numel() * t.element_size() for t in held)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, weight=int4 (groups of {GROUP})"


class GatedMLP(torch.nn.Module):
    """The model's gated MLP, down(act(gate(x)) * up(x)), with gate and up as one int4 layer: one kernel
    call for the two when a token is decoded. gate_proj and up_proj stay, as views of it."""

    def __init__(self, mlp: torch.nn.Module) -> None:
        super().__init__()
        self.hidden = mlp.gate_proj.out_features
        self.gate_up_proj = Int4Linear.stacked([mlp.gate_proj, mlp.up_proj])
        n = self.hidden
        self.gate_proj, self.up_proj = self.gate_up_proj.rows(0, n), self.gate_up_proj.rows(n, 2 * n)
        self.down_proj, self.act_fn = mlp.down_proj, mlp.act_fn
        self._calls = (self.gate_up_proj.forward, self.act_fn.forward, self.down_proj.forward)  # looked up once
        # a decoded token's down product takes gate and up as they come and makes silu(gate) * up itself
        form = self.down_proj._rows_form
        probe = torch.linspace(-8, 8, 33)
        silu = torch.allclose(self.act_fn(probe), torch.nn.functional.silu(probe))  # transformers' own class or torch's
        self._glu = kernel.int4_product(*form, glu=True) if form is not None and silu else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate_up, act, down = self._calls
        if self._glu is not None and x.numel() <= C_ROWS * x.shape[-1]:
            inner = gate_up(x)
            return self._glu(inner.reshape(-1, inner.shape[-1])).view(*x.shape[:-1], -1)
        gate, up = gate_up(x).split(self.hidden, -1)
        return down(act(gate) * up)


def stack_int4(layer) -> None:
    """Give an int4 layer's attention one q/k/v projection (`qkv_proj`, outputs q then k then v, which the
    engine calls) and its MLP one gate/up projection; q_proj, k_proj and v_proj stay as views of it for
    transformers' own forward. Measured per decoded token on 2 cores, all 30 layers: q/k/v 112-133 ->
    52-80 us a layer, gate/up 136-188 -> 107-130 us."""
    attn = layer.self_attn
    parts = [attn.q_proj, attn.k_proj, attn.v_proj]
    attn.qkv_proj = Int4Linear.stacked(parts)
    start = 0
    for name, part in zip(("q_proj", "k_proj", "v_proj"), parts):
        setattr(attn, name, attn.qkv_proj.rows(start, start + part.out_features))
        start += part.out_features
    layer.mlp = GatedMLP(layer.mlp)


class _Columns:
    """Outputs start..stop-1 of another layer's reader: what a view (Int4Linear.rows) of a stacked layer
    reads with. Only transformers' own forward calls the views; the engine calls the stacked layer."""

    def __init__(self, reader, start: int, stop: int) -> None:
        self.reader, self.start, self.stop = reader, start, stop

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.reader(x)[..., self.start: self.stop]


def read_with_fp16(layer, weights: dict[str, torch.Tensor], reader_of=HalfLinear) -> None:
    """fp16+int4: give every int4 layer of a stacked layer (stack_int4) an fp16 reader made from the
    original float32 weights, stacked ones from those weights side by side, and drop the codes kept for
    dequantizing. Reading then runs as fp16's, decoding as int4's. bf16+int4: the readers are
    BFloatLinear (reader_of)."""
    attn, mlp = layer.self_attn, layer.mlp
    for stacked, names, owner in ((attn.qkv_proj, ("q_proj", "k_proj", "v_proj"), attn),
                                  (mlp.gate_up_proj, ("gate_proj", "up_proj"), mlp)):
        reader = reader_of(torch.cat([weights[name] for name in names]))
        start = 0
        for name in names:
            stop = start + weights[name].shape[0]
            getattr(owner, name).read_with(_Columns(reader, start, stop))
            start = stop
        stacked.read_with(reader)
    for name in ("o_proj", "down_proj"):
        owner = attn if name == "o_proj" else mlp
        getattr(owner, name).read_with(reader_of(weights[name]))


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
    int4 = precision in ("int4", "fp16+int4", "bf16+int4")
    if int4 and not int4_available():
        raise ModelError("this torch build has no 4-bit CPU kernel; use --precision fp16")
    if precision == "bf16+int4" and not bf16_fast():
        raise ModelError("bf16+int4 needs a CPU that multiplies bfloat16 (AVX-512 BF16 or AMX); "
                         "use --precision fp16+int4")
    if next(model.parameters()).dtype != torch.float32:
        raise ModelError(f"{precision} weights are made from a float32 model")
    for layer in model.model.layers:
        weights = {}
        for owner, names in ((layer.self_attn, _ATTENTION), (layer.mlp, _MLP)):
            for name in names:
                linear = weights[name] = getattr(owner, name)
                if int4:  # the parts stack_int4 stacks are packed once, stacked
                    setattr(owner, name, Int4Linear(linear, pack=name not in _STACKED))
                else:
                    setattr(owner, name, HalfLinear(linear))
                    page_out(linear.weight)
        if int4:
            stack_int4(layer)
            if precision in ("fp16+int4", "bf16+int4"):
                read_with_fp16(layer, {name: linear.weight for name, linear in weights.items()},
                               BFloatLinear if precision == "bf16+int4" else HalfLinear)
            for linear in weights.values():
                page_out(linear.weight)
    # The output layer may share its weight with the embedding table, which stays float32 for lookup. In
    # int4 such a shared weight becomes ShortlistOutput's; otherwise the output layer is fp16.
    shared = model.lm_head.weight is model.model.embed_tokens.weight
    if not (int4 and shared):
        model.lm_head = HalfLinear(model.lm_head)
        model.config.tie_word_embeddings = False
    # What stays float32 (the embedding table, the norms) is copied off the file the weights were mapped
    # from, so the mapping closes: packing touched all its pages, and while it is open they count in the
    # process's RSS (measured: 1,328 MB after packing, 916 MB once the copies let it go; float32: 970 MB).
    for module in model.modules():
        for name, param in list(module.named_parameters(recurse=False)):
            setattr(module, name, torch.nn.Parameter(param.detach().clone(), requires_grad=param.requires_grad))
    if int4 and shared:
        model.lm_head = ShortlistOutput(model.model.embed_tokens.weight)
        model.config.tie_word_embeddings = False  # nothing may tie it back to a plain Linear
    gc.collect()


SHORTLIST = 32  # tokens the 4-bit output copy puts forward for exact scoring (see ShortlistOutput)


class ShortlistOutput(torch.nn.Module):
    """The output layer of an int4 (or fp16+int4) model whose output weight is its embedding table (float32, kept for
    lookup): its logits are float32 products with that table, and the next token of a greedy decode
    comes from a shortlist. A 4-bit copy of the table (Int4Linear's kernel, 0.56 bytes a weight) scores
    every token; its SHORTLIST best are scored again in float32 from the table's rows, and the best of
    those is the token. That is the float32 output layer's argmax whenever that token is on the 4-bit
    copy's shortlist (measured in samples/bench/speed.md), and it reads a quarter of the fp16 layer's
    bytes per token."""

    def __init__(self, weight: torch.Tensor) -> None:
        super().__init__()
        self.weight = weight  # the embedding table's Parameter itself: no copy
        self.out_features, self.in_features = weight.shape
        rows = -(-self.out_features // 16) * 16  # the kernel packs 16n rows: pad with zero rows
        padded = weight.detach() if rows == self.out_features else \
            torch.nn.functional.pad(weight.detach(), (0, 0, 0, rows - self.out_features))
        self.approx = Int4Linear.of_codes(*Int4Linear.quantized(padded.float()))
        self.approx.kernel_only()  # it scores one row at a time

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.linear(x.float(), self.weight)

    def next_token(self, h: torch.Tensor, banned: list[int] | torch.Tensor = ()) -> int:
        """The greedy next token after the last row of h (..., D), never one of `banned`."""
        x = h.reshape(-1, self.in_features)[-1:].float()
        rough = self.approx(x)[0, : self.out_features]
        if len(banned):
            rough[torch.as_tensor(banned, dtype=torch.long)] = float("-inf")
        short = rough.topk(min(SHORTLIST, self.out_features)).indices
        exact = self.weight[short] @ x[0]
        exact[rough[short] == float("-inf")] = float("-inf")
        return int(short[exact.argmax()])
