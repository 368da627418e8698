"""End-to-end tests on the real default model (SmolLM2-135M-Instruct). Slow: RUN_SLOW=1 or -m slow."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from infinicli.config import EngineConfig
from infinicli.engine import InfiniModel
from infinicli.tasks import passkey as pk
from infinicli.tokenizer import Tokenizer

pytestmark = pytest.mark.slow


def test_default_model_loads_with_its_card(real):
    info = real.info
    assert (info.architecture, info.layers, info.heads, info.kv_heads, info.head_dim) == ("llama", 30, 9, 3, 64)
    assert info.native_context == 8192 and 130e6 < info.parameters < 140e6
    assert info.licence == "Apache-2.0" and len(info.sha256) == 64


def test_one_segment_with_empty_memory_reproduces_the_model(real):
    tok = Tokenizer(real.tokenizer)
    ids = torch.tensor(tok.encode("Infini-attention keeps a compressive memory of everything read. " * 20))
    engine = InfiniModel(real.model, EngineConfig.for_method("infini", segment=512, adaptive=False))
    with torch.no_grad():
        want = real.model(ids.view(1, -1)).logits[0]
    torch.testing.assert_close(engine.logits(ids), want, atol=2e-4, rtol=1e-4)


def test_greedy_answer_to_a_simple_question(real):
    tok = Tokenizer(real.tokenizer)
    engine = InfiniModel(real.model, EngineConfig())
    answer = tok.decode(engine.generate(tok.chat("What is the capital of France?"), 16, tok.stop_ids))
    assert "Paris" in answer


def test_passkey_recalled_from_the_first_segment_at_8k(real):
    """Regression test for long-range recall: the needle sits in segment 1 of 16."""
    tok = Tokenizer(real.tokenizer)
    engine = InfiniModel(real.model, EngineConfig.for_method("infini+recall", adaptive=False))
    trial = pk.run_trial(engine, tok, 8000, 0.0, 48213)
    assert trial.needle_at < 512 and trial.segments == 16
    assert trial.correct, trial.answer


def test_passkey_cli_json(tmp_path):
    env = {**os.environ}
    proc = subprocess.run([sys.executable, "-m", "infinicli", "passkey", "--length", "4000", "--json"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["accuracy"] == 1.0
    trial = data["trials"][0]
    assert {"key", "answer", "correct", "tokens", "segments", "seconds"} <= set(trial)
    assert str(trial["key"]) in trial["answer"]
    assert data["peak_rss_mb"] > 0 and data["tokens_per_s"] > 0
