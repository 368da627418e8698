"""The memory math on its own: update rules, read-out, and the local attention mask."""

from pathlib import Path

import pytest
import torch

from infinicli.attention import (
    GROUPED_QUERIES,
    causal_mask,
    grouped_attention,
    local_attention,
    memory_read,
    memory_read_out,
    memory_write,
    novelty,
    read_out,
    sigma,
)


def orthogonal_keys(t: int, d: int) -> torch.Tensor:
    """Pre-activation keys whose ELU+1 features have (almost) disjoint support."""
    k = torch.full((1, t, d), -30.0)
    for i in range(t):
        k[0, i, i * (d // t):(i + 1) * (d // t)] = 1.0
    return k


def test_delta_rule_rewriting_a_segment_changes_almost_nothing_linear_doubles():
    d = 16
    k, v = orthogonal_keys(4, d), torch.randn(1, 4, d)
    M0, z0 = torch.zeros(1, d, d), torch.zeros(1, d)
    M1, z1 = memory_write(k, v, M0, z0, "delta", 1e-6)
    M2, _ = memory_write(k, v, M1, z1, "delta", 1e-6)
    assert (M2 - M1).norm() / M1.norm() < 1e-3
    L1, y1 = memory_write(k, v, M0, z0, "linear", 1e-6)
    L2, y2 = memory_write(k, v, L1, y1, "linear", 1e-6)
    torch.testing.assert_close(L2, 2 * L1)
    torch.testing.assert_close(y2, 2 * y1)


def test_memory_returns_what_was_written_for_orthogonal_keys():
    d = 16
    k, v = orthogonal_keys(4, d), torch.randn(1, 4, d)
    M, z = memory_write(k, v, torch.zeros(1, d, d), torch.zeros(1, d), "delta", 1e-6)
    # two query heads share the one KV head (grouped-query attention)
    q = torch.cat([k, k])
    out = memory_read(q, M, z, 1e-6)
    torch.testing.assert_close(out[0], v[0], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(out[1], v[0], atol=1e-4, rtol=1e-4)
    assert novelty(k, v, M, z, 1e-6).max() < 1e-6
    assert torch.equal(novelty(k, v, torch.zeros(1, d, d), torch.zeros(1, d), 1e-6), torch.ones(4))


def test_sigma_is_elu_plus_one():
    x = torch.tensor([-3.0, 0.0, 2.5])
    torch.testing.assert_close(sigma(x), torch.tensor([torch.exp(torch.tensor(-3.0)).item(), 1.0, 3.5]))
    assert (sigma(torch.randn(1000) * 10) >= 0).all()


def test_local_attention_over_a_prefix_matches_explicit_softmax():
    torch.manual_seed(0)
    q, k, v = torch.randn(4, 5, 8), torch.randn(2, 9, 8), torch.randn(2, 9, 8)
    out = local_attention(q, k, v, 8 ** -0.5)
    kx, vx = k.repeat_interleave(2, 0), v.repeat_interleave(2, 0)  # query heads 0,1 share KV head 0
    scores = (q @ kx.transpose(-1, -2)) * 8 ** -0.5
    scores = scores.masked_fill(~causal_mask(5, 9), float("-inf"))
    weights = scores.softmax(-1)
    torch.testing.assert_close(out, weights @ vx, atol=1e-5, rtol=1e-5)
    assert torch.allclose(weights.sum(-1), torch.ones(4, 5))
    # the first query sees the 4 prefix keys and itself, nothing later
    assert causal_mask(5, 9)[0].tolist() == [True] * 5 + [False] * 4
    assert (weights[:, 0, 5:] == 0).all()


def test_one_query_attention_is_the_masked_softmax_over_every_key():
    """A decoded token (T = 1) takes the grouped two-product path, not SDPA: the same within float32."""
    torch.manual_seed(1)
    q, k, v = torch.randn(6, 1, 8), torch.randn(3, 40, 8), torch.randn(3, 40, 8)
    kx, vx = k.repeat_interleave(2, 0), v.repeat_interleave(2, 0)
    want = ((q @ kx.transpose(-1, -2)) * 8 ** -0.5).softmax(-1) @ vx
    torch.testing.assert_close(local_attention(q, k, v, 8 ** -0.5), want, atol=1e-6, rtol=1e-5)
    # the carried keys are a slice of a longer buffer while decoding (engine.OpenSpan): not contiguous
    kb, vb = torch.randn(3, 50, 8), torch.randn(3, 50, 8)
    torch.testing.assert_close(local_attention(q, kb[:, :40], vb[:, :40], 0.3),
                               local_attention(q, kb[:, :40].contiguous(), vb[:, :40].contiguous(), 0.3))


def test_a_few_queries_take_the_grouped_path_and_agree_with_sdpa():
    """Up to GROUPED_QUERIES queries (a prompt after the carried keys) are two grouped products with the
    causal mask on the last T keys; more go to SDPA. Both paths agree on the same inputs, with the keys
    a transposed view as engine.OpenSpan keeps them."""
    torch.manual_seed(3)
    for t in (2, 7, GROUPED_QUERIES, GROUPED_QUERIES + 9):
        s = 60 + t
        q, v = torch.randn(6, t, 8), torch.randn(3, s, 8)
        kt = torch.randn(3, 8, s + 5)
        k = kt[:, :, :s].transpose(-1, -2)
        sdpa = torch.nn.functional.scaled_dot_product_attention(
            q[None], k.contiguous()[None], v[None], attn_mask=causal_mask(t, s), scale=0.3, enable_gqa=True)[0]
        torch.testing.assert_close(grouped_attention(q, k, v, 0.3), sdpa, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(local_attention(q, k, v, 0.3), sdpa, atol=1e-5, rtol=1e-5)
        # the last query sees every key; the first only the prefix and itself
        w = grouped_attention(q[:, :1], k[:, : s - t + 1], v[:, : s - t + 1], 0.3)
        torch.testing.assert_close(grouped_attention(q, k, v, 0.3)[:, :1], w, atol=1e-5, rtol=1e-5)


def test_memory_read_out_is_eq_3_per_query_head_group():
    torch.manual_seed(2)
    q, M, z = torch.randn(6, 5, 8), torch.randn(3, 8, 8), torch.rand(3, 8) + 0.5
    sq = sigma(q)
    Mx, zx = M.repeat_interleave(2, 0), z.repeat_interleave(2, 0)
    want = (sq @ Mx) / (sq @ zx[..., None] + 1e-6)
    torch.testing.assert_close(memory_read(q, M, z, 1e-6), want, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(memory_read_out(q, read_out(M, z, 1e-6)), want, atol=1e-5, rtol=1e-5)


def _check_float16_kernels() -> None:
    from infinicli import kernel
    from infinicli.engine import apply_rope

    if not kernel.half_spans(3, 64):
        pytest.skip(f"no float16 kernels here: {kernel.status()}")
    torch.manual_seed(6)
    for n_kv, g, d in ((3, 3, 64), (2, 2, 16)):
        for s in (1, 17, 512, 1500):
            q = torch.randn(n_kv * g, 1, d) * 2
            kt, v = (torch.randn(n_kv, d, s + 9) * 2).half(), torch.randn(n_kv, s + 9, d).half()
            k = kt[:, :, :s].transpose(-1, -2)
            got = kernel.attend_one(q, k, v[:, :s], d ** -0.5)
            want = grouped_attention(q, k.float(), v[:, :s].float(), d ** -0.5)
            torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-4)
            assert kernel.attend_one(q, k.float(), v[:, :s], 0.1) is None  # keys and values of one dtype
    d, n, at = 64, 37, 5
    angle = torch.arange(at + n + 3.0)[:, None] * torch.rand(d // 2).repeat(2)
    cos, sin = angle.cos(), torch.cat([-angle.sin()[:, : d // 2], angle.sin()[:, d // 2:]], -1)
    k = torch.randn(3, n, d) * 3
    roped = apply_rope(k, cos[at:at + n], sin[at:at + n])
    for dtype in (torch.float32, torch.float16):
        kt = torch.zeros(3, d, at + n + 4, dtype=dtype)
        assert kernel.rope_keys(k, cos, sin, at, kt, 3)
        got = kt[:, :, at:at + n].transpose(-1, -2).float()
        tol = 1e-5 if dtype == torch.float32 else 2e-3 * 4  # float16's step near the keys' largest, about 8
        torch.testing.assert_close(got, roped.to(dtype).float(), atol=tol, rtol=0)
        assert kt[:, :, :at].abs().sum() == 0 and kt[:, :, at + n:].abs().sum() == 0  # nothing else written
    assert not kernel.rope_keys(k.transpose(-1, -2).contiguous().transpose(-1, -2), cos, sin, 0, kt, 3)


def test_the_float16_kernels_equal_torch_on_the_same_rounded_keys():
    """With the span in float16 (kernel.half_spans), attend_one gives grouped_attention's output over the
    same float16 keys and values widened, within float32 rounding; and rope_keys ropes and transposes
    keys as torch does (engine.apply_rope), exactly in float32 but for a fused multiply-add's last bit,
    and within one float16 rounding in float16."""
    _check_float16_kernels()


def test_the_float16_kernels_built_for_avx2_equal_torch_too(monkeypatch, tmp_path):
    """The same, and the float32 kernel equal to the grouped products, built as for a CPU with AVX2, F16C
    and FMA but no AVX-512 (most laptops): the 8-wide path of attend_one.c, compiled here with AVX-512
    turned off."""
    from infinicli import kernel

    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if not {"avx2", "f16c", "fma"} <= set(flags.split()):
        pytest.skip("this CPU cannot run an AVX2 and F16C build")
    monkeypatch.setenv("INFINI_HOME", str(tmp_path))
    monkeypatch.setattr(kernel, "FLAGS", kernel.FLAGS + ("-mno-avx512f",))
    monkeypatch.setattr(kernel, "_built", {})
    monkeypatch.setattr(kernel, "_why", {})
    _check_float16_kernels()
    assert kernel.half_spans(3, 64), kernel.status()
    _check_float32_kernel()


def _check_float32_kernel() -> None:
    from infinicli import kernel

    torch.manual_seed(5)
    for n_kv, g, d in ((3, 3, 64), (2, 2, 16), (1, 4, 32)):
        for s in (1, 7, 511, 512, 513, 1500):
            q = torch.randn(n_kv * g, 1, d) * 2
            kt, v = torch.randn(n_kv, d, s + 9) * 2, torch.randn(n_kv, s + 9, d)
            k = kt[:, :, :s].transpose(-1, -2)
            got = kernel.attend_one(q, k, v[:, :s], d ** -0.5)
            torch.testing.assert_close(got, grouped_attention(q, k, v[:, :s], d ** -0.5), atol=1e-5, rtol=1e-4)


def test_the_c_kernel_equals_the_grouped_products_for_one_query():
    """kernel.attend_one (C, built on first use) gives grouped_attention's output within float32
    rounding, over keys as engine.OpenSpan keeps them (the transpose of a longer buffer), for several
    shapes and key counts around its 512-key items; and loading it leaves the process's floats as they
    were (a library linked with -ffast-math flushes subnormals to zero for everyone)."""
    from infinicli import kernel

    tiny = torch.tensor([1e-40])
    assert (tiny * 1.0).item() > 0
    if not kernel.enabled() or kernel.function(3, 64) is None:
        pytest.skip(f"no C kernel here: {kernel.status()}")
    _check_float32_kernel()
    assert (tiny * 1.0).item() > 0
    q, k, v = torch.randn(9, 1, 64), torch.randn(3, 20, 64), torch.randn(3, 20, 64)
    assert kernel.attend_one(q, k, v, 0.1) is None  # keys not transposed from a buffer: torch's path
    assert kernel.attend_one(q.double(), k.double(), v.double(), 0.1) is None
    assert kernel.attend_one(torch.randn(9, 2, 64), k.transpose(-1, -2).contiguous().transpose(-1, -2), v,
                             0.1) is None  # two queries
