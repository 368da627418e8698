"""fp16 weights (infinicli.precision): the kernel against float32 math on the same rounded weights."""

import copy

import pytest
import torch

from infinicli import precision
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
        precision.apply(copy.deepcopy(tiny), "int4")
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
