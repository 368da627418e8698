"""Equivalence tests for the engine on tiny random Llama models.

The reference below is written separately from infinicli: it runs the paper's recurrence layer by
layer with plain tensor code (its own RoPE, softmax, memory read and delta update), so a wrong engine
cannot agree with it by sharing a bug.
"""

import json
import math

import pytest
import torch

from infinicli.config import EngineConfig
from infinicli.engine import InfiniModel
from infinicli.errors import ModelError
from tests.conftest import tiny_llama


def hf_logits(model, ids):
    with torch.no_grad():
        return model(ids.view(1, -1)).logits[0]


def _rope(x, positions, theta):
    d = x.shape[-1]
    inv = 1.0 / theta ** (torch.arange(0, d, 2).float() / d)
    ang = positions.float()[:, None] * inv[None]
    cos, sin = torch.cat([ang.cos()] * 2, -1), torch.cat([ang.sin()] * 2, -1)
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


def reference_infini(model, segments, window, beta, eps=1e-6):
    """Logits of the last segment (read-only) after writing all earlier ones, the paper's way."""
    c = model.config
    L, H, Hkv = c.num_hidden_layers, c.num_attention_heads, c.num_key_value_heads
    d = c.hidden_size // H
    g = H // Hkv
    M = [torch.zeros(Hkv, d, d) for _ in range(L)]
    z = [torch.zeros(Hkv, d) for _ in range(L)]
    past_k = [torch.zeros(Hkv, 0, d) for _ in range(L)]
    past_v = [torch.zeros(Hkv, 0, d) for _ in range(L)]
    def feat(x):  # ELU + 1
        return torch.where(x > 0, x + 1, torch.exp(x))

    with torch.no_grad():
        for s, ids in enumerate(segments):
            last = s == len(segments) - 1
            h = model.model.embed_tokens(ids)
            for i, layer in enumerate(model.model.layers):
                a = layer.self_attn
                x = layer.input_layernorm(h)
                T = x.shape[0]
                q = a.q_proj(x).view(T, H, d).transpose(0, 1)
                k = a.k_proj(x).view(T, Hkv, d).transpose(0, 1)
                v = a.v_proj(x).view(T, Hkv, d).transpose(0, 1)
                kk = torch.cat([past_k[i][:, past_k[i].shape[1] - window:] if window else past_k[i][:, :0], k], 1)
                vv = torch.cat([past_v[i][:, past_v[i].shape[1] - window:] if window else past_v[i][:, :0], v], 1)
                S = kk.shape[1]
                qr = _rope(q, torch.arange(S - T, S), c.rope_parameters["rope_theta"])
                kr = _rope(kk, torch.arange(S), c.rope_parameters["rope_theta"])
                out = torch.zeros(H, T, d)
                for hq in range(H):
                    kv = hq // g
                    scores = qr[hq] @ kr[kv].T / math.sqrt(d)
                    allowed = torch.arange(S)[None] <= torch.arange(S - T, S)[:, None]
                    scores = scores.masked_fill(~allowed, -float("inf"))
                    local = scores.softmax(-1) @ vv[kv]
                    if s > 0:
                        sq = feat(q[hq])
                        mem = (sq @ M[i][kv]) / (sq @ z[i][kv] + eps)[:, None]
                        gate = 1 / (1 + math.exp(-beta))
                        local = gate * mem + (1 - gate) * local
                    out[hq] = local
                if not last:
                    for kv in range(Hkv):
                        sk = feat(k[kv])
                        retrieved = (sk @ M[i][kv]) / (sk @ z[i][kv] + eps)[:, None]
                        M[i][kv] = M[i][kv] + sk.T @ (v[kv] - retrieved)
                        z[i][kv] = z[i][kv] + sk.sum(0)
                    past_k[i] = torch.cat([past_k[i], k], 1)
                    past_v[i] = torch.cat([past_v[i], v], 1)
                h = h + a.o_proj(out.transpose(0, 1).reshape(T, H * d))
                h = h + layer.mlp(layer.post_attention_layernorm(h))
            if last:
                return model.lm_head(model.model.norm(h))


@pytest.mark.parametrize("window", [0, 8])
@pytest.mark.parametrize("beta", [0.0, -2.0])
def test_streaming_equals_reference_recurrence(tiny, window, beta):
    torch.manual_seed(1)
    ids = torch.randint(0, 99, (5 * 16 + 7,))
    segments = list(ids[:80].split(16)) + [ids[80:]]
    # the reference is the paper's recurrence alone: window and memory, no attention sink
    cfg = EngineConfig.for_method("infini", segment=16, window=window, gate_beta=beta, adaptive=False, sink=0)
    engine = InfiniModel(tiny, cfg)
    engine.read(ids[:80].tolist())
    got = engine.logits(ids[80:])
    want = reference_infini(tiny, segments, window, beta)
    torch.testing.assert_close(got, want, atol=1e-4, rtol=1e-4)


def test_memory_gated_off_single_segment_reproduces_the_model(tiny):
    ids = torch.randint(0, 99, (40,))
    engine = InfiniModel(tiny, EngineConfig.for_method("infini", segment=64, adaptive=False))
    torch.testing.assert_close(engine.logits(ids), hf_logits(tiny, ids), atol=1e-5, rtol=1e-5)
    # a written memory with its gate shut and a window covering the past changes nothing
    cfg = EngineConfig.for_method("infini", segment=16, window=32, gate_beta=-60.0, adaptive=False)
    engine = InfiniModel(tiny, cfg)
    engine.read(ids[:32].tolist())
    assert not engine.state.memory.empty
    torch.testing.assert_close(engine.logits(ids[32:]), hf_logits(tiny, ids)[32:], atol=1e-5, rtol=1e-5)


def test_gate_open_changes_the_output(tiny):
    ids = torch.randint(0, 99, (48,))
    outs = []
    for beta in (-60.0, 0.0):
        engine = InfiniModel(tiny, EngineConfig.for_method("infini", segment=16, window=0,
                                                           gate_beta=beta, adaptive=False))
        engine.read(ids[:32].tolist())
        outs.append(engine.logits(ids[32:]))
    assert (outs[0] - outs[1]).abs().max() > 1e-3


def test_full_matches_plain_generate_and_logits(tiny):
    ids = torch.randint(0, 99, (70,))
    engine = InfiniModel(tiny, EngineConfig.for_method("full", segment=16))
    engine.read(ids[:64].tolist())
    torch.testing.assert_close(engine.logits(ids[64:]), hf_logits(tiny, ids)[64:], atol=1e-5, rtol=1e-5)
    with torch.no_grad():
        want = tiny.generate(ids.view(1, -1), max_new_tokens=12, do_sample=False,
                             pad_token_id=0)[0, 70:].tolist()
    assert engine.generate(ids[64:], 12) == want
    # generating never writes: the same question twice gives the same answer
    assert engine.generate(ids[64:], 12) == want


def test_model_is_left_unmodified_after_engine_use(tiny):
    ids = torch.randint(0, 99, (30,))
    before = hf_logits(tiny, ids)
    engine = InfiniModel(tiny, EngineConfig.for_method("infini", segment=8, adaptive=False))
    engine.read(ids.tolist())
    engine.generate(ids[:5], 3)
    torch.testing.assert_close(hf_logits(tiny, ids), before)


@pytest.mark.parametrize("method", ["window", "infini", "infini+recall"])
def test_state_bytes_do_not_grow(tiny, method):
    cfg = EngineConfig.for_method(method, segment=8, window=16, pool_blocks=3, block=4, sink=4,
                                  adaptive=False)
    engine = InfiniModel(tiny, cfg)
    engine.set_probe([1, 2, 3])
    ids = torch.randint(0, 99, (800,)).tolist()
    sizes = {}
    for n, stats in enumerate(_read(engine, ids), 1):
        st = engine.state
        assert st.window.size <= 16
        assert st.pool.size <= 3 * 4 and len(st.pool.block_len) <= 3
        assert st.pool.sink_size <= 4
        if n in (1, 10, 100):
            sizes[n] = (stats.state_bytes, st.nbytes)
    assert sizes[1] == sizes[10] == sizes[100]


def _read(engine, ids):
    got = []
    engine.read(ids, on_segment=got.append)
    return got


def test_recall_pool_fills_keeps_sink_and_input_order(tiny):
    cfg = EngineConfig.for_method("infini+recall", segment=8, window=8, pool_blocks=3, block=4,
                                  sink=4, adaptive=False)
    for probe in ([5, 6, 7], None):
        engine = InfiniModel(tiny, cfg)
        engine.set_probe(probe)
        ids = torch.randint(0, 99, (96,)).tolist()
        engine.read(ids)
        pool = engine.state.pool
        assert pool.sink_size == 4
        assert len(pool.block_len) == 3 and pool.size == 12
        positions = pool.pos[: pool.size].tolist()
        assert positions == sorted(positions) and min(positions) >= 4
        assert max(positions) < 96 - 8  # pooled tokens have left the window
        for block in pool.blocks_held():  # each kept block knows its own tokens
            assert block["ids"] == ids[block["position"]: block["position"] + block["tokens"]]
        window = engine.state.window
        assert window.ids[: window.size].tolist() == ids[-window.size:]
        assert engine.pool_score == ("probe" if probe else "residual")


def test_needle_kept_counts_where_each_span_token_is_held(tiny):
    from infinicli.tasks.passkey import needle_kept

    cfg = EngineConfig.for_method("infini+recall", segment=8, window=8, pool_blocks=3, block=4,
                                  sink=4, adaptive=False)
    engine = InfiniModel(tiny, cfg)
    engine.read(torch.randint(0, 99, (96,)).tolist())
    pooled = set(engine.state.pool.pos[: engine.state.pool.size].tolist())
    for start, length in [(0, 6), (min(pooled) - 2, 8), (86, 10)]:
        span = range(start, start + length)
        assert needle_kept(engine, start, length) == {
            "tokens": length, "window": sum(p >= 88 for p in span), "sink": sum(p < 4 for p in span),
            "pool": sum(p in pooled for p in span)}


def test_contrastive_pool_score_is_question_minus_baseline_per_probe_token(tiny):
    cfg = EngineConfig.for_method("infini+recall", segment=8, window=16, pool_blocks=3, block=4,
                                  sink=0, adaptive=False)
    ids = torch.randint(0, 99, (16,)).tolist()  # two segments, both still in the window
    question, baseline = [5, 6, 7], [9, 10, 11, 12, 13]

    def window_scores(probe, base=None):
        engine = InfiniModel(tiny, cfg)
        engine.set_probe(probe, base)
        engine.read(ids)
        assert engine.state.window.size == 16
        return engine.state.window.score[:16].clone()

    asked, generic = window_scores(question), window_scores(baseline)
    assert asked.sum() > 0
    torch.testing.assert_close(window_scores(question, baseline), asked / 3 - generic / 5)
    torch.testing.assert_close(window_scores(question, question), torch.zeros(16))


def test_state_scores_equal_the_scores_the_window_got_while_reading(tiny):
    """The question read after the state alone scores each carried token as the last segment's probe
    did: the same keys, the same memory and the same positions for the question."""
    cfg = EngineConfig.for_method("infini+recall", segment=8, window=16, pool_blocks=3, block=4,
                                  sink=0, adaptive=False)
    ids = torch.randint(0, 99, (16,)).tolist()  # two segments, both still in the window
    for baseline in (None, [9, 10, 11, 12, 13]):
        engine = InfiniModel(tiny, cfg)
        engine.set_probe([5, 6, 7], baseline)
        engine.set_probe_heads(torch.tensor([[1.0, 0.0, 0.5, 0.0], [0.0, 2.0, 0.0, 1.0]]))
        engine.read(ids)
        scores = engine.state_scores()
        assert scores.shape == (16,)
        torch.testing.assert_close(scores, engine.state.window.score[:16])
    engine.set_probe(None)
    with pytest.raises(ValueError, match="needs a question"):
        engine.state_scores()


def test_probe_heads_score_the_pool_with_the_chosen_heads_only(tiny):
    cfg = EngineConfig.for_method("infini+recall", segment=8, window=16, pool_blocks=3, block=4,
                                  sink=0, adaptive=False)
    ids = torch.randint(0, 99, (16,)).tolist()  # two segments, both still in the window

    def read(weights):
        engine = InfiniModel(tiny, cfg)
        engine.set_probe([5, 6, 7])
        engine.set_probe_heads(weights)
        engine.read(ids)
        return engine.state.window.score[:16].clone(), engine.last_probe_mass

    every, mass = read(None)
    assert mass.shape[:2] == (2, 4) and bool((mass >= 0).all())
    # the last probe's per-head mass on the newest segment adds up to what the pool was scored with
    torch.testing.assert_close(mass.sum(dim=(0, 1))[-8:], every[-8:])
    torch.testing.assert_close(read(torch.ones(2, 4))[0], every)
    one = torch.zeros(2, 4)
    one[1, 2] = 1.0
    picked, _ = read(one)
    torch.testing.assert_close(picked[-8:], mass[1, 2, -8:])
    assert not torch.allclose(picked, every)
    with pytest.raises(ModelError, match="do not fit"):
        InfiniModel(tiny, cfg).set_probe_heads(torch.ones(3, 4))


def test_answer_reads_only_the_best_scored_blocks(tiny):
    from infinicli.state import RecallPool
    from infinicli.tasks import ask

    pool = RecallPool(1, 1, 2, blocks=4, block=2, sink=0, dtype=torch.float32)
    pool.block_len, pool.block_score = [2, 1, 2, 2], [0.5, 3.0, 0.1, 2.0]
    pool.k[0, 0, :7] = torch.arange(7.0)[:, None]
    assert pool.best_blocks(2) == [1, 3] and pool.best_blocks(0) == pool.best_blocks(9) == [0, 1, 2, 3]
    assert pool.best_index(2).tolist() == [2, 5, 6] and pool.best_index(4) is None
    assert pool.layer(0, pool.best_index(2))[0][0, :, 0].tolist() == [2.0, 5.0, 6.0]

    cfg = EngineConfig.for_method("infini+recall", segment=8, window=8, pool_blocks=4, block=4, sink=4,
                                  adaptive=False)
    ids = torch.randint(0, 99, (96,)).tolist()

    def answer(n, prune=False):
        engine = InfiniModel(tiny, cfg.with_(answer_blocks=n))
        engine.set_probe([5, 6, 7])
        engine.read(ids)
        p = engine.state.pool
        if prune:  # drop every block but the best two from the pool itself
            index = p.best_index(2)
            m = index.numel()
            p.k[:, :, :m], p.v[:, :, :m] = p.k[:, :, index].clone(), p.v[:, :, index].clone()
            p.block_len, p.block_score = [p.block_len[b] for b in p.best_blocks(2)], \
                [p.block_score[b] for b in p.best_blocks(2)]
        return engine, engine.generate(ids[:3], 6)

    class NoText:  # the tiny model has no tokenizer
        def decode(self, ids):
            return ""

    engine, two = answer(2)
    assert [b["answer_read"] for b in ask.recalled(engine, NoText())] == [
        b in engine.state.pool.best_blocks(2) for b in range(4)]
    assert two == answer(0, prune=True)[1]  # reading 2 of 4 blocks = a pool of those 2 blocks
    assert answer(4)[1] == answer(0)[1]  # 4 of 4 blocks is all of them
    engine.set_probe(None)  # a residual-scored pool: every block is read, whatever the setting
    assert engine.answer_blocks == 0


def test_heads_select_and_cache(tiny, tmp_path):
    from infinicli import heads

    margin = torch.tensor([[0.1, 2.0, -1.0, 0.5], [3.0, 0.0, 0.2, 1.0]])
    assert heads.select(margin, 2).tolist() == [[0, 1, 0, 0], [1, 0, 0, 0]]
    assert heads.select(margin, 99).sum() == 8
    engine = InfiniModel(tiny, EngineConfig())
    path = heads.cache_file(tmp_path, tiny)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"format": heads.FORMAT, "margin": margin.tolist()}))
    said = []
    torch.testing.assert_close(heads.load_or_calibrate(engine, None, tmp_path, say=said.append), margin)
    assert said == []  # read from the cache, nothing calibrated
    assert heads.model_key(tiny) != heads.model_key(tiny_llama(seed=1))


def test_adaptive_runs_exact_attention_when_input_fits(tiny):
    from infinicli import reading

    engine = InfiniModel(tiny, EngineConfig.for_method("infini+recall", segment=16))
    short = reading.read_ids(engine, "short", list(range(50)), None, reserve=10)
    assert short.mode.startswith("full (adaptive") and engine.config.method == "full"
    assert engine.state.tokens == 50
    fits = list(range(99)) * 2 + list(range(48))  # 246 = 256 native tokens - 10 reserved
    assert reading.read_ids(engine, "fits", fits, None, reserve=10).mode.startswith("full (adaptive")
    assert engine.state.tokens == 246
    long = reading.read_ids(engine, "long", fits + [1], None, reserve=10)
    assert long.mode == "infini+recall" and engine.config == engine.base_config
    assert engine.state.tokens == 247  # every token read, the ones looked at first too
    engine.configure(engine.base_config.with_(adaptive=False))
    assert reading.read_ids(engine, "fixed", list(range(50)), None, reserve=10).mode == "infini+recall"


def test_qwen2_and_mistral_architectures_run():
    from transformers import MistralConfig, MistralForCausalLM, Qwen2Config, Qwen2ForCausalLM

    for cls, cfg_cls in ((Qwen2ForCausalLM, Qwen2Config), (MistralForCausalLM, MistralConfig)):
        torch.manual_seed(0)
        model = cls(cfg_cls(vocab_size=99, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                            num_attention_heads=4, num_key_value_heads=2,
                            max_position_embeddings=256)).eval()
        ids = torch.randint(0, 99, (20,))
        engine = InfiniModel(model, EngineConfig.for_method("full", segment=8))
        engine.read(ids[:16].tolist())
        torch.testing.assert_close(engine.logits(ids[16:]), hf_logits(model, ids)[16:],
                                   atol=1e-5, rtol=1e-5)


def test_unsupported_architecture_is_refused():
    from transformers import GPT2Config, GPT2LMHeadModel

    model = GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=32, n_head=2, vocab_size=99))
    with pytest.raises(ModelError, match="not supported"):
        InfiniModel(model, EngineConfig())


def test_recall_last_reorders_only_the_answer_span(tiny):
    cfg = EngineConfig.for_method("infini+recall", segment=8, window=8, pool_blocks=2, block=4, sink=4,
                                  adaptive=False)
    engine = InfiniModel(tiny, cfg)
    engine.read(torch.randint(0, 99, (64,)).tolist())
    st = engine.state
    sk, sv = st.pool.layer(0)
    wk, _ = st.window.layer(0)
    k_default, _ = st.prefix(0)
    k_recall, _ = st.prefix(0, recall_last=True)
    s = st.pool.sink_size
    assert torch.equal(k_default, torch.cat([sk, wk], 1))
    assert torch.equal(k_recall, torch.cat([sk[:, :s], wk, sk[:, s:]], 1))
    before = engine.state.nbytes, engine.state.tokens
    a = engine.generate([1, 2, 3], 6)
    b = engine.generate([1, 2, 3], 6, recall_last=True)
    assert engine.generate([1, 2, 3], 6) == a  # the layout is per call, and nothing was written
    assert (engine.state.nbytes, engine.state.tokens) == before
    assert len(b) == 6


def test_calibrating_heads_gives_the_engine_back_as_it_was(tiny, chars):
    from infinicli import heads

    cfg = EngineConfig.for_method("infini", segment=16, adaptive=False)
    engine = InfiniModel(tiny, cfg)
    engine.set_probe(chars.question("Who?"), every_segment=True)
    margin = heads.calibrate(engine, chars, hosts=1, distractors=1)
    assert margin.shape == (engine.layers, engine.heads) and torch.isfinite(margin).all()
    assert engine.config == cfg and engine.probing and engine.state.tokens == 0


def test_segment_stats_as_dict_is_json_without_the_scores(tiny):
    from infinicli import reading

    engine = InfiniModel(tiny, EngineConfig.for_method("infini+recall", segment=16, adaptive=False))
    seen = []
    reading.read_ids(engine, "ids", list(range(40)), [1, 2, 3], reserve=4, on_segment=seen.append,
                     every_segment=True)
    assert seen[-1].scores is not None
    record = json.loads(json.dumps(seen[-1].as_dict()))  # no tensor in it
    assert "scores" not in record and record["tokens_done"] == 40


def test_generate_decodes_as_if_each_step_were_read_from_scratch(tiny):
    """generate() ropes the carried K/V once and appends each token to its own span (OpenSpan); the
    reference reads the prompt plus the output so far afresh for every token, with nothing cached."""
    cfg = EngineConfig.for_method("infini+recall", segment=8, window=8, pool_blocks=4, block=4, sink=4,
                                  gate_beta=0.0, adaptive=False)
    engine = InfiniModel(tiny, cfg)
    engine.set_probe([5, 6, 7])
    engine.read(torch.randint(0, 99, (96,)).tolist())
    prompt = [3, 1, 4, 1, 5]
    out = engine.generate(prompt, 10)
    want: list[int] = []
    for _ in range(10):
        want.append(int(engine.logits(prompt + want)[-1].argmax()))
    assert out == want


@pytest.mark.parametrize("method", ["infini+recall", "full", "window"])
def test_a_decoded_token_has_the_logits_of_reading_it(tiny, method):
    """generate() takes each new token through _decode (the layers called directly, one query's attention,
    the memory's read-out built once): its logits equal those of logits(), which reads the same ids
    through transformers' own forward, within float32 rounding."""
    from infinicli.engine import _Mode

    cfg = EngineConfig.for_method(method, segment=8, window=8, pool_blocks=4, block=4, sink=4,
                                  gate_beta=0.0, adaptive=False)
    engine = InfiniModel(tiny, cfg)
    engine.read(torch.randint(0, 99, (60,)).tolist())
    prompt, new = [3, 1, 4, 1, 5], [7, 2, 9, 9]
    engine._open_room = len(prompt) + len(new)
    with engine._running(_Mode.OPEN):
        engine._hidden(torch.tensor(prompt))
        got = [engine.model.lm_head(engine._decode(t))[0, -1] for t in new]
    engine._close()
    for n, logits in enumerate(got, 1):
        torch.testing.assert_close(logits, engine.logits(prompt + new[:n])[-1], atol=1e-5, rtol=1e-4)


def test_decoding_with_the_c_kernel_writes_what_torchs_products_write(tiny, monkeypatch):
    """generate() takes one query's attention from kernel.attend_one where it can be built: the same
    tokens as with INFINI_KERNELS=0 (torch's products), and the kernel did the work."""
    from infinicli import kernel

    if kernel.function(2, 16) is None:
        pytest.skip(f"no C kernel here: {kernel.status()}")
    calls = []
    real = kernel.attend_one
    monkeypatch.setattr(kernel, "attend_one", lambda *a: calls.append(1) or real(*a))
    outs = {}
    for flag in ("1", "0"):
        monkeypatch.setenv("INFINI_KERNELS", flag)
        engine = InfiniModel(tiny, EngineConfig.for_method("full", segment=8, adaptive=False))
        engine.read(torch.randint(0, 99, (60,), generator=torch.Generator().manual_seed(4)).tolist())
        outs[flag] = engine.generate([3, 1, 4, 1, 5], 12)
        if flag == "1":
            assert kernel.status().startswith("C kernel") and len(calls) >= 11 * 2  # each new token, each layer
    assert outs["1"] == outs["0"]


def test_a_float16_span_decodes_as_the_float32_one_within_its_rounding(tiny):
    """half_spans keeps generate()'s open span in float16 (the session's choice for every precision but
    fp32): each decoded token's logits stay within float16's rounding of the keys of those with the span
    in float32, through the prompt's pass (widened for torch) and the decoded tokens (kernel.attend_one)."""
    from infinicli import kernel
    from infinicli.engine import _Mode

    if not kernel.half_spans(2, 16):
        pytest.skip(f"no float16 kernels here: {kernel.status()}")
    engine = InfiniModel(tiny, EngineConfig.for_method("full", segment=8, adaptive=False))
    engine.read(torch.randint(0, 99, (60,), generator=torch.Generator().manual_seed(4)).tolist())
    prompt, new = [3, 1, 4, 1, 5], [7, 2, 9, 9]
    logits = {}
    for half in (False, True):
        engine.half_spans = half
        engine._open_room = len(prompt) + len(new)
        with engine._running(_Mode.OPEN):
            first = engine.model.lm_head(engine._hidden(torch.tensor(prompt)))[0, -1]
            assert engine._open[0].kt.dtype == (torch.float16 if half else torch.float32)
            logits[half] = [first] + [engine.model.lm_head(engine._decode(t))[0, -1] for t in new]
        engine._close()
    for a, b in zip(logits[False], logits[True]):
        torch.testing.assert_close(b, a, atol=2e-3, rtol=2e-3)
        assert not torch.equal(a, b) or a.abs().max() == 0  # the span was float16 indeed


def test_open_span_grows_past_the_room_it_was_given():
    from infinicli.engine import OpenSpan

    no_rope = torch.ones(3, 4), torch.zeros(3, 4), torch.ones(4, 3), torch.zeros(4, 3)  # cos 1, sin 0: as given
    span = OpenSpan([(torch.ones(2, 1, 4), torch.ones(2, 1, 4)), (torch.ones(2, 2, 4), torch.ones(2, 2, 4))],
                    no_rope, room=1)
    for n in range(1, 4):
        k, v = span.append(torch.full((2, n, 4), float(n)), torch.full((2, n, 4), -float(n)))
    assert k.shape == v.shape == (2, 3 + 1 + 2 + 3, 4) and span.n == 9
    assert span.kt.shape[1] == 4 and k.transpose(-1, -2).stride(-1) == 1  # kept transposed
    assert k[0, :, 0].tolist() == [1, 1, 1, 1, 2, 2, 3, 3, 3] and v[1, -1, 0] == -3


@pytest.mark.parametrize("method", ["full", "infini", "infini+recall"])
@pytest.mark.parametrize("half", [False, True])
def test_a_decoded_tokens_attention_in_one_c_call_is_torchs(tiny, monkeypatch, method, half):
    """With one q/k/v projection (int4's stack_int4), a decoded token's RoPE, the span's append and its
    attention are one C call (kernel.decode_step): the same logits as torch's operators within float32
    rounding, for a span in float32 and in float16, with the memory's read mixed in."""
    import copy

    from infinicli import kernel, precision
    from infinicli.engine import _Mode

    if not precision.int4_available() or kernel.function(2, 16, half) is None:
        pytest.skip(f"no 4-bit kernel or no C kernel here: {kernel.status()}")
    quarter = copy.deepcopy(tiny)
    precision.apply(quarter, "int4")
    cfg = EngineConfig.for_method(method, segment=8, window=8, pool_blocks=4, block=4, sink=4, adaptive=False)
    real, calls = kernel.decode_step, []
    got = {}
    for fast in (True, False):
        monkeypatch.setattr(kernel, "decode_step", (lambda *a: calls.append(1) or real(*a)) if fast else
                            (lambda *a: None))
        engine = InfiniModel(quarter, cfg)
        engine.half_spans = half
        engine.read(torch.randint(0, 99, (60,), generator=torch.Generator().manual_seed(5)).tolist())
        engine._open_room = 9
        with engine._running(_Mode.OPEN):
            engine._hidden(torch.tensor([3, 1, 4, 1, 5]))
            got[fast] = torch.stack([engine.model.lm_head(engine._decode(t))[0, -1] for t in (7, 2, 9, 9)])
        engine._close()
    assert len(calls) == 4 * tiny.config.num_hidden_layers
    torch.testing.assert_close(got[True], got[False], atol=1e-5, rtol=1e-5)
