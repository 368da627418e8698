"""fp16 and int4 weights (infinicli.precision): the kernels against float32 math on the same rounded
weights."""

import copy
from pathlib import Path

import pytest
import torch

from infinicli import kernel, precision
from infinicli.config import EngineConfig
from infinicli.engine import InfiniModel
from infinicli.errors import ModelError

pytestmark = pytest.mark.skipif(not precision.fp16_available(), reason="no fbgemm fp16 kernel in this torch")


def test_half_linear_is_float32_math_on_weights_rounded_to_float16():
    torch.manual_seed(0)
    linear = torch.nn.Linear(48, 80, bias=True)
    half = precision.HalfLinear(linear)
    x = torch.randn(2, 7, 48)
    want = torch.nn.functional.linear(x, linear.weight.half().float(), linear.bias)
    torch.testing.assert_close(half(x), want, atol=1e-5, rtol=1e-5)
    assert half(x).shape == (2, 7, 80) and (half(x) - linear(x)).abs().max() > 0  # it did round


def test_an_fp16_model_reads_like_the_fp32_model_with_rounded_weights(tiny):
    rounded = copy.deepcopy(tiny)
    for layer in rounded.model.layers:
        for lin in (*[getattr(layer.self_attn, n) for n in ("q_proj", "k_proj", "v_proj", "o_proj")],
                    *[getattr(layer.mlp, n) for n in ("gate_proj", "up_proj", "down_proj")]):
            lin.weight.data = lin.weight.data.half().float()
    rounded.lm_head = torch.nn.Linear(*reversed(tiny.lm_head.weight.shape), bias=False)
    rounded.lm_head.weight.data = tiny.lm_head.weight.data.half().float()
    half = copy.deepcopy(tiny)
    precision.apply(half, "fp16")
    assert isinstance(half.lm_head, precision.HalfLinear)
    assert half.model.embed_tokens.weight.dtype == torch.float32  # looked up, not multiplied: kept
    ids = torch.randint(0, 99, (40,)).tolist()
    cfg = EngineConfig.for_method("infini+recall", segment=8, window=8, pool_blocks=2, block=4, sink=4,
                                  adaptive=False)
    logits = []
    for model in (rounded, half):
        engine = InfiniModel(model, cfg)
        engine.read(ids[:32])
        logits.append(engine.logits(ids[32:]))
    torch.testing.assert_close(logits[1], logits[0], atol=1e-4, rtol=1e-4)


def test_an_unknown_precision_is_refused(tiny):
    with pytest.raises(ModelError, match="not one of"):
        precision.apply(copy.deepcopy(tiny), "int8")
    unchanged = copy.deepcopy(tiny)
    precision.apply(unchanged, "fp32")
    assert isinstance(unchanged.lm_head, torch.nn.Linear)


def test_paging_out_a_packed_weight_loses_nothing(tmp_path):
    # MADV_PAGEOUT only reclaims: a weight mapped from a file, or in ordinary memory, reads the same after
    from safetensors.torch import load_file, save_file

    torch.manual_seed(1)
    weights = {"w": torch.randn(512, 1024), "b": torch.randn(3)}
    save_file(weights, tmp_path / "w.safetensors")
    mapped = load_file(tmp_path / "w.safetensors")
    for t in (*mapped.values(), weights["w"], weights["w"][5:7], torch.empty(0)):
        before = t.clone()
        precision.page_out(t)
        assert torch.equal(t, before)


def _on_the_grid(n: int, k: int, seed: int = 0) -> torch.Tensor:
    """A weight whose every group of 32 is q * scale + low, q in 0..15, as a Q4_1 GGUF's weights are."""
    g = torch.Generator().manual_seed(seed)
    q = torch.randint(0, 16, (n, k // 32, 32), generator=g).float()
    q[..., 0], q[..., 1] = 0, 15  # the quantizer puts a group's least and greatest weight at the ends
    scale = torch.rand(n, k // 32, 1, generator=g) * 0.02 + 0.001
    low = torch.randn(n, k // 32, 1, generator=g) * 0.05 - 8 * scale
    return (q * scale + low).view(n, k)


int4 = pytest.mark.skipif(not precision.int4_available(), reason="no 4-bit CPU kernel in this torch")


@int4
def test_int4_keeps_weights_on_the_q4_1_grid_exactly_and_reads_them_in_float32():
    linear = torch.nn.Linear(128, 48, bias=False)
    linear.weight.data = _on_the_grid(48, 128)
    layer = precision.Int4Linear(linear)
    assert (layer.dequantized() - linear.weight.data).abs().max() < 1e-7  # steps are 1e-3 or more
    x = torch.randn(3, precision.DECODE_ROWS, 128)  # more rows than DECODE_ROWS: float32 math on the weight
    torch.testing.assert_close(layer(x), linear(x), atol=1e-5, rtol=1e-5)
    one = torch.randn(1, 128)  # decoding: the 4-bit kernel, bfloat16 in and out
    want = linear(one)
    assert layer(one).shape == (1, 48) and layer(one).dtype == torch.float32
    assert (layer(one) - want).abs().max() <= 0.02 * want.abs().max()
    off = torch.nn.Linear(128, 48, bias=False)  # weights off the grid are rounded to it: half a step at most
    layer = precision.Int4Linear(off)
    step = layer.scale.repeat_interleave(32, dim=1)
    assert ((layer.dequantized() - off.weight.data).abs() <= step / 2 + 1e-6).all()


@int4
def test_an_int4_model_reads_as_float32_on_its_weights_and_decodes_within_bfloat16(tiny, monkeypatch):
    monkeypatch.setattr(precision, "DECODE_ROWS", 4)  # so that the tiny model's 8-token reads are dequantized
    quarter = copy.deepcopy(tiny)
    precision.apply(quarter, "int4")
    assert isinstance(quarter.model.layers[0].mlp.up_proj, precision.Int4Linear)
    assert isinstance(quarter.lm_head, precision.HalfLinear)  # the output layer stays fp16
    rounded = copy.deepcopy(tiny)  # float32, every layer's weight as int4 keeps it, the output layer fp16's
    for mine, theirs in zip(rounded.model.layers, quarter.model.layers):
        for owner, names in ((mine.self_attn, precision._ATTENTION), (mine.mlp, precision._MLP)):
            for name in names:
                other = getattr(theirs.self_attn if name in precision._ATTENTION else theirs.mlp, name)
                getattr(owner, name).weight.data = other.dequantized()
    rounded.lm_head = torch.nn.Linear(*reversed(tiny.lm_head.weight.shape), bias=False)
    rounded.lm_head.weight.data = tiny.lm_head.weight.data.half().float()
    ids = torch.randint(0, 99, (40,)).tolist()
    cfg = EngineConfig.for_method("infini+recall", segment=8, window=8, pool_blocks=2, block=4, sink=4,
                                  adaptive=False)
    read, decoded = [], []
    for model in (rounded, quarter):
        engine = InfiniModel(model, cfg)
        engine.read(ids[:32])
        read.append(engine.logits(ids[32:]))  # 8 rows: the float32 path
        decoded.append(engine.logits(ids[39:]))  # 1 row: the 4-bit kernel
    torch.testing.assert_close(read[1], read[0], atol=1e-4, rtol=1e-4)
    assert (decoded[1] - decoded[0]).abs().max() <= 0.05 * decoded[0].abs().max()


@int4
def test_int4_stacked_layers_and_their_rows_give_each_parts_outputs():
    """q, k and v (gate and up) become one int4 layer with the parts as views of it (stack_int4): the
    stacked layer's outputs are the parts' side by side, on both paths; a part that starts inside one
    of the kernel's 64-row blocks is packed anew, the others share the stacked layer's bytes."""
    torch.manual_seed(3)
    parts = [precision.Int4Linear(torch.nn.Linear(128, n, bias=False)) for n in (64, 32, 96)]
    stacked = precision.Int4Linear.stacked(parts)
    for x in (torch.randn(1, 128), torch.randn(precision.DECODE_ROWS + 1, 128)):
        want = torch.cat([p(x) for p in parts], -1)
        torch.testing.assert_close(stacked(x), want, atol=1e-5, rtol=1e-5)
        start = 0
        for p in parts:
            view = stacked.rows(start, start + p.out_features)
            torch.testing.assert_close(view(x), p(x), atol=1e-5, rtol=1e-5)
            assert view.view and view.codes.data_ptr() == stacked.codes[start:].data_ptr()
            start += p.out_features
    assert stacked.rows(0, 64).packed.data_ptr() == stacked.packed.data_ptr()  # a whole block: shared


@int4
def test_an_int4_model_decodes_through_one_projection_for_q_k_v_and_one_for_gate_up(tiny):
    quarter = copy.deepcopy(tiny)
    precision.apply(quarter, "int4")
    layer = quarter.model.layers[0]
    assert isinstance(layer.self_attn.qkv_proj, precision.Int4Linear) and layer.self_attn.q_proj.view
    assert isinstance(layer.mlp, precision.GatedMLP) and layer.mlp.up_proj.view
    x = torch.randn(1, 1, tiny.config.hidden_size)
    mlp = layer.mlp
    want = mlp.down_proj(mlp.act_fn(mlp.gate_proj(x)) * mlp.up_proj(x))  # transformers' MLP, on the views
    torch.testing.assert_close(mlp(x), want, atol=1e-6, rtol=1e-6)
    # with the C kernel, down makes silu(gate) * up itself (int4_rows_glu)
    assert (mlp._glu is not None) == (kernel.int4_library() is not None)
    with torch.no_grad():  # transformers' own forward still runs on the views
        assert quarter(torch.tensor([[1, 2, 3]])).logits.shape == (1, 3, 99)


@int4
def test_a_tied_output_layer_shortlists_with_4_bits_and_chooses_in_float32():
    """An int4 model whose output weight is its embedding table: logits are float32 products with that
    table (the same tensor, not a copy), and the greedy choice is the float32 argmax whenever it is on
    the 4-bit copy's shortlist; a banned token is never chosen."""
    from tests.conftest import tiny_llama

    tied = tiny_llama(seed=3)
    tied.config.tie_word_embeddings = True
    tied.tie_weights()
    table = tied.model.embed_tokens.weight.detach().clone()
    precision.apply(tied, "int4")
    head = tied.lm_head
    assert isinstance(head, precision.ShortlistOutput)
    assert head.weight is tied.model.embed_tokens.weight and head.approx.codes is None
    torch.testing.assert_close(tied.model.embed_tokens.weight, table, atol=0, rtol=0)
    h = torch.randn(200, 1, 64)
    torch.testing.assert_close(head(h), h @ table.t(), atol=1e-5, rtol=1e-5)
    exact = (h[:, 0] @ table.t())
    chosen = torch.tensor([head.next_token(h[i]) for i in range(200)])
    assert (chosen == exact.argmax(-1)).all()
    for i in range(20):
        best = int(exact[i].argmax())
        second = int(exact[i].topk(2).indices[1])
        assert head.next_token(h[i], [best]) == second
    engine = InfiniModel(tied, EngineConfig.for_method("window", segment=8, window=8, adaptive=False))
    engine.read(torch.randint(0, 99, (24,)).tolist())
    out = engine.generate([5, 6, 7], max_new_tokens=6, not_first=[int(engine.logits([5, 6, 7])[-1].argmax())])
    assert len(out) == 6 and out[0] != int(engine.logits([5, 6, 7])[-1].argmax())


@int4
def test_quantizing_and_packing_a_few_rows_at_a_time_gives_the_whole_weights_form(monkeypatch):
    w = _on_the_grid(384, 128, seed=2)
    whole = precision.Int4Linear.quantized(w)
    packed = precision.Int4Linear.packed_codes(whole[0])
    monkeypatch.setattr(precision, "CHUNK_ROWS", 128)
    for a, b in zip(precision.Int4Linear.quantized(w), whole):
        assert torch.equal(a, b)
    assert torch.equal(precision.Int4Linear.packed_codes(whole[0]), packed)


@int4
def test_fp16_int4_reads_as_fp16_and_decodes_as_int4(tiny, monkeypatch):
    """--precision fp16+int4: a segment is read by fp16 layers of the original weights (q/k/v and
    gate/up stacked), a decoded token by the int4 kernel; the codes for dequantizing are let go."""
    monkeypatch.setattr(precision, "DECODE_ROWS", 4)  # so that the tiny model's 8-token reads are read
    gridded = copy.deepcopy(tiny)  # weights int4 keeps exactly, as the default model's are
    for i, layer in enumerate(gridded.model.layers):
        for lin in [*(getattr(layer.self_attn, n) for n in precision._ATTENTION),
                    *(getattr(layer.mlp, n) for n in precision._MLP)]:
            lin.weight.data = _on_the_grid(*lin.weight.shape, seed=i) * 3
    models = {}
    for p in ("fp16", "int4", "fp16+int4"):
        models[p] = copy.deepcopy(gridded)
        precision.apply(models[p], p)
    mixed = models["fp16+int4"].model.layers[0]
    assert mixed.self_attn.qkv_proj.codes is None and mixed.mlp.down_proj.codes is None
    assert isinstance(mixed.self_attn.qkv_proj.reader, precision.HalfLinear)
    ids = torch.randint(0, 99, (40,)).tolist()
    cfg = EngineConfig.for_method("infini+recall", segment=8, window=8, pool_blocks=2, block=4, sink=4,
                                  adaptive=False)
    read, decoded = {}, {}
    for p, model in models.items():
        engine = InfiniModel(model, cfg)
        engine.read(ids[:32])
        read[p] = engine.logits(ids[32:])  # 8 rows: read
        decoded[p] = engine.logits(ids[39:])  # 1 row: decoded
    torch.testing.assert_close(read["fp16+int4"], read["fp16"], atol=1e-5, rtol=1e-5)
    fp16_state = (decoded["fp16+int4"] - decoded["int4"]).abs().max()  # same kernel, an fp16-read state
    assert fp16_state <= 0.05 * decoded["int4"].abs().max()
    with torch.no_grad():  # transformers' own forward reads through the views' columns of the fp16 reader
        got = models["fp16+int4"](torch.tensor([ids[:8]])).logits
        want = models["fp16"](torch.tensor([ids[:8]])).logits
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


def test_bfloat_linear_is_float32_math_on_bfloat16_inputs_and_weights():
    torch.manual_seed(3)
    x, w = torch.randn(70, 48), torch.randn(24, 48)
    lin = precision.BFloatLinear(w)
    want = torch.nn.functional.linear(x.bfloat16().float(), w.bfloat16().float())
    got = lin(x)
    assert got.dtype == torch.float32 and lin.weight.dtype == torch.bfloat16
    torch.testing.assert_close(got, want, atol=0.05, rtol=0.02)  # its output rounded to bfloat16 once
    assert lin(x.view(2, 35, 48)).shape == (2, 35, 24)


@int4
@pytest.mark.skipif(not precision.bf16_fast(), reason="no AVX-512 BF16 or AMX: bf16+int4 is refused here")
def test_bf16_int4_reads_in_bfloat16_and_decodes_as_int4(tiny, monkeypatch):
    """--precision bf16+int4: fp16+int4 with bfloat16 readers; what it reads stays near fp16+int4's."""
    monkeypatch.setattr(precision, "DECODE_ROWS", 4)
    models = {}
    for p in ("fp16+int4", "bf16+int4"):
        models[p] = copy.deepcopy(tiny)
        precision.apply(models[p], p)
    layer = models["bf16+int4"].model.layers[0]
    assert isinstance(layer.self_attn.qkv_proj.reader, precision.BFloatLinear)
    assert isinstance(layer.mlp.down_proj.reader, precision.BFloatLinear) and layer.mlp.down_proj.codes is None
    ids = torch.randint(0, 99, (40,), generator=torch.Generator().manual_seed(2)).tolist()
    with torch.no_grad():
        got = models["bf16+int4"](torch.tensor([ids])).logits
        want = models["fp16+int4"](torch.tensor([ids])).logits
    assert (got - want).abs().max() <= 0.05 * want.abs().max()


def test_bf16_int4_is_refused_before_loading_on_a_cpu_without_bfloat16_products(monkeypatch):
    from infinicli import session
    from infinicli.errors import InfiniError

    monkeypatch.setattr(session, "bf16_fast", lambda: False)
    monkeypatch.setattr(session.model_store, "load", lambda *a, **k: pytest.fail("loaded the model"))
    with pytest.raises(InfiniError, match="AVX-512 BF16"):
        session.Session.load(precision="bf16+int4")


def _c_kernel() -> None:
    if kernel.int4_library() is None:
        pytest.skip(f"no C int4 kernel here (it needs AVX-512F and a C compiler): {kernel._int4_why}")


@int4
def test_the_c_int4_kernel_is_float32_math_on_the_same_weights():
    """kernel.int4_rows, what a decoded token's projections go through where it is built: float32 products
    with the weights the codes stand for, within float32 rounding (torch's 4-bit kernel rounds to bfloat16),
    for any number of rows (blocks of 8 share a group's weights, and a tail)."""
    _c_kernel()
    _check_int4_products()
    torch.manual_seed(5)
    linear = torch.nn.Linear(192, 80, bias=False)
    linear.weight.data = _on_the_grid(80, 192)
    layer = precision.Int4Linear(linear)
    one = torch.randn(1, 1, 192)
    torch.testing.assert_close(layer(one), linear(one), atol=1e-5, rtol=1e-5)
    assert layer.decode_bytes() == 80 * 192 // 2 + 80 * (192 // 32) * 2 * 4  # codes two a byte, scale and minimum
    layer.kernel_only()  # torch's packed form goes: the C kernel takes a decoded token alone
    assert layer.packed is None and layer.codes is None
    torch.testing.assert_close(layer(one), linear(one), atol=1e-5, rtol=1e-5)
    no_group = (torch.zeros(4, 8, dtype=torch.uint8), torch.zeros(4, 1, 2))  # 16 inputs: not a group of 32
    assert kernel.int4_product(*no_group) is None


@int4
def test_the_c_int4_kernel_builds_for_avx2_too(tmp_path, monkeypatch):
    """On a CPU with AVX2 and FMA but no AVX-512 (most laptops) int4_rows.c builds its 8-wide path: the same
    products and norms, compiled here with AVX-512 turned off."""
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if not {"avx2", "fma"} <= set(flags.split()):
        pytest.skip("this CPU cannot run an AVX2 build")
    monkeypatch.setenv("INFINI_HOME", str(tmp_path))
    monkeypatch.setattr(kernel, "FLAGS", kernel.FLAGS + ("-mno-avx512f",))
    monkeypatch.setattr(kernel, "_int4", [])
    _c_kernel()
    _check_int4_products()
    _check_norms()


def _check_int4_products() -> None:
    torch.manual_seed(5)
    linear = torch.nn.Linear(192, 80, bias=False)
    linear.weight.data = _on_the_grid(80, 192)
    codes, scale, low = precision.Int4Linear.quantized(linear.weight.data)
    product = kernel.int4_product(*kernel.int4_form(codes, scale, low))
    for rows in (1, 3, 8, 9, 17):
        x = torch.randn(rows, 192)
        torch.testing.assert_close(product(x), linear(x), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError):  # rows of another width would be read past their end: refused
        product(torch.randn(2, 96))
    glu = kernel.int4_product(*kernel.int4_form(codes, scale, low), glu=True)
    gate, up = torch.randn(3, 192), torch.randn(3, 192)
    torch.testing.assert_close(glu(torch.cat([gate, up], 1)), linear(torch.nn.functional.silu(gate) * up),
                               atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError):
        glu(torch.randn(kernel.GLU_ROWS + 1, 384))


def test_the_c_rms_norm_is_torchs():
    _c_kernel()
    _check_norms()


def _check_norms() -> None:
    torch.manual_seed(6)
    for d, shape in ((576, (1, 1, 576)), (100, (5, 100))):  # 100: a tail past the vectors of 16
        weight, x = torch.randn(d), torch.randn(*shape) * 3
        want = torch.nn.functional.rms_norm(x, (d,), weight, 1e-5)
        torch.testing.assert_close(kernel.rms_norm(weight, 1e-5)(x), want, atol=1e-6, rtol=1e-5)
        a, stream = torch.randn(*shape), x.clone()  # the residual stream's step, then the norm: one call
        got = kernel.add_rms_norm(weight, 1e-5)(stream, a)
        torch.testing.assert_close(stream, x + a)  # in place
        torch.testing.assert_close(got, torch.nn.functional.rms_norm(x + a, (d,), weight, 1e-5), atol=1e-6, rtol=1e-5)
