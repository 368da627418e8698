"""Training the Infini parameters: BPTT through the memory, resumable checkpoints, safe loading."""

from __future__ import annotations

import json
import random

import pytest
import torch

from infinicli import train
from infinicli.config import EngineConfig
from infinicli.engine import InfiniModel, InfiniParams
from infinicli.errors import ModelError
from tests.conftest import tiny_llama

STAGES = (train.Stage(10**9, 8, 2, 3),)


def recall_sample(rng: random.Random, stage: train.Stage) -> train.Sample:
    """Random tokens with a two-token key somewhere in them; the question asks for the key."""
    n = rng.randint(stage.min_segments, stage.max_segments)
    ids = [rng.randrange(10, 99) for _ in range(n * stage.segment)]
    key = [rng.randrange(10, 99) for _ in range(2)]
    at = rng.randrange(0, len(ids) - 2)
    ids[at: at + 2] = key
    return train.Sample([ids[i: i + stage.segment] for i in range(0, len(ids), stage.segment)],
                        [5, 6, 7], key, 0)


def test_untrained_adapters_change_nothing(tiny):
    cfg = EngineConfig.for_method("infini", segment=8, window=4, adaptive=False)
    plain, adapted = InfiniModel(tiny, cfg), InfiniModel(tiny, cfg, InfiniParams.for_model(tiny, rank=4))
    ids = torch.randint(0, 99, (40,)).tolist()
    for engine in (plain, adapted):
        engine.read(ids)
    assert torch.allclose(plain.logits([1, 2, 3]), adapted.logits([1, 2, 3]), atol=1e-5)
    assert adapted.parameters_id.startswith("params-") and plain.parameters_id == "none"


def test_gradients_flow_back_through_every_memory_write():
    tiny = tiny_llama(seed=2)
    train.freeze(tiny)
    params = InfiniParams.for_model(tiny, rank=4, gate_beta=0.0)
    with torch.no_grad():  # non-zero adapters, so their gradients are not trivially blocked
        params.q_up.normal_(0, 0.01)
        params.k_up.normal_(0, 0.01)
    engine = InfiniModel(tiny, train.training_config(STAGES[0]), params)
    engine.training = True
    sample = recall_sample(random.Random(0), train.Stage(10**9, 8, 3, 3))
    engine.reset(train.training_config(STAGES[0]))
    engine.consume(sample.segments[0])
    first_write = engine.state.memory.M[0]
    first_write.retain_grad()
    for seg in sample.segments[1:]:
        engine.consume(seg)
    ids = sample.question + sample.answer
    logits = engine.logits(ids)[len(sample.question) - 1: -1]
    torch.nn.functional.cross_entropy(logits, torch.tensor(sample.answer)).backward()
    assert first_write.grad is not None and first_write.grad.abs().sum() > 0  # BPTT to segment 1
    for p in (params.beta, params.q_up, params.k_up, params.k_down):
        assert p.grad is not None and p.grad.abs().sum() > 0
    assert all(p.grad is None for p in tiny.parameters())  # the model itself is frozen


def test_training_lowers_the_loss_on_a_fixed_sample():
    tiny = tiny_llama(seed=3)
    train.freeze(tiny)
    params = InfiniParams.for_model(tiny, rank=4, gate_beta=0.0)
    engine = InfiniModel(tiny, train.training_config(STAGES[0]), params)
    engine.training = True
    sample = recall_sample(random.Random(3), STAGES[0])
    opt = torch.optim.AdamW(params.parameters(), lr=0.1)
    losses = []
    for _ in range(40):
        loss, _ = train.sample_loss(engine, sample)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.9 * losses[0]


def test_interrupted_training_resumes_to_the_same_parameters(tmp_path):
    settings = train.Settings(rank=2, lr=1e-2, gate_lr=0.05, eval_every=3, eval_samples=2, checkpoint_every=2)
    whole = train.train(tiny_llama(seed=1), recall_sample, tmp_path / "a", 4, settings, "tiny",
                        curriculum=STAGES)
    train.train(tiny_llama(seed=1), recall_sample, tmp_path / "b", 2, settings, "tiny", curriculum=STAGES)
    resumed = train.train(tiny_llama(seed=1), recall_sample, tmp_path / "b", 4, settings, "tiny",
                          curriculum=STAGES)
    for name, tensor in whole.state_dict().items():
        assert torch.allclose(tensor, resumed.state_dict()[name], atol=1e-6), name
    log = [json.loads(ln) for ln in (tmp_path / "b" / train.LOG_FILE).read_text().splitlines()]
    assert [r["step"] for r in log] == [1, 2, 3, 4] and "eval_greedy_acc" in log[2]
    assert sum(log[0]["gates"]) == 4 * 2  # every head of every layer in the histogram
    state = json.loads((tmp_path / "b" / train.STATE_FILE).read_text())
    assert state["step"] == 4 and (tmp_path / "b" / InfiniParams.FILE).exists()
    card = (tmp_path / "b" / train.CARD_FILE).read_text()  # the card follows the checkpoint
    assert "- Steps: 4;" in card and "| 3 | 8 x 2-3 |" in card and "rank-2" in card
    # A hand-written evaluation below the marker survives a resumed run's rewrite.
    hand = f"{train.HAND_WRITTEN}\n\n## Evaluated by hand\n\nkept\n"
    (tmp_path / "b" / train.CARD_FILE).write_text(card + "\n" + hand)
    train.train(tiny_llama(seed=1), recall_sample, tmp_path / "b", 6, settings, "tiny", curriculum=STAGES)
    card = (tmp_path / "b" / train.CARD_FILE).read_text()
    assert "- Steps: 6;" in card and card.endswith(hand) and card.count(train.HAND_WRITTEN) == 1


def test_the_curriculum_moves_to_longer_segments(tmp_path):
    stages = (train.Stage(2, 8, 2, 2), train.Stage(10**9, 16, 2, 2))
    settings = train.Settings(rank=2, eval_every=10, checkpoint_every=10)
    train.train(tiny_llama(seed=1), recall_sample, tmp_path, 4, settings, "tiny", curriculum=stages)
    log = [json.loads(ln) for ln in (tmp_path / train.LOG_FILE).read_text().splitlines()]
    assert [r["segment"] for r in log] == [8, 8, 16, 16]
    assert train.stage_at(1, stages).segment == 8 and train.stage_at(2, stages).segment == 16


def test_saved_parameters_load_only_into_a_model_they_fit(tmp_path, tiny):
    params = InfiniParams.for_model(tiny, rank=3, gate_beta=-1.0)
    with torch.no_grad():
        params.q_up.normal_()
    params.save(tmp_path)
    back = InfiniParams.load(tmp_path, tiny)
    assert back.digest() == params.digest() and back.rank == 3
    with pytest.raises(ModelError, match="another model"):
        InfiniParams.load(tmp_path, tiny_llama(layers=3))
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / InfiniParams.FILE).write_bytes(b"\x00" * 64)
    with pytest.raises(ModelError, match="not a safetensors file"):
        InfiniParams.load(tmp_path / "junk", tiny)
    with pytest.raises(ModelError, match="no trained Infini parameters"):
        InfiniParams.load(tmp_path / "missing", tiny)


def test_params_option_refuses_a_missing_folder(tmp_path):
    from tests.test_cli import assert_one_sentence_error, infini

    proc = infini("passkey", "--length", "100", "--params", str(tmp_path / "nothing"), home=tmp_path)
    assert_one_sentence_error(proc, "no trained Infini parameters")
