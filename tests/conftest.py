"""Shared fixtures: tiny random Llama models for fast tests, the real default model for slow ones."""

from __future__ import annotations

import os

import pytest
import torch


def tiny_llama(layers: int = 2, heads: int = 4, kv_heads: int = 2, seed: int = 0):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=99, hidden_size=64, intermediate_size=128, num_hidden_layers=layers,
                      num_attention_heads=heads, num_key_value_heads=kv_heads,
                      max_position_embeddings=256, rope_theta=10000.0)
    return LlamaForCausalLM(cfg).eval()


@pytest.fixture(scope="session")
def tiny():
    return tiny_llama()


def pytest_collection_modifyitems(config, items):
    """Slow tests (real default model) run when asked for: -m slow, or RUN_SLOW=1."""
    if os.environ.get("RUN_SLOW") or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: set RUN_SLOW=1 or pass -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def real():
    """The default model, loaded once (pulled into INFINI_HOME if missing)."""
    from infinicli import model_store

    return model_store.load(model_store.DEFAULT_MODEL, say=lambda m: None)


def char_tokenizer():
    """A character-level fast tokenizer (97 ids, within the tiny models' 99) with real offsets."""
    from tokenizers import Tokenizer as Raw
    from tokenizers import decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    chars = [chr(c) for c in range(32, 127)] + ["\n"]
    vocab = {c: i for i, c in enumerate(chars)} | {"<unk>": len(chars)}
    raw = Raw(models.WordLevel(vocab, unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    raw.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="<unk>", eos_token="<unk>")


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    """The tiny random Llama and the character tokenizer, saved as a model folder `--model` loads."""
    folder = tmp_path_factory.mktemp("tiny-model")
    tiny_llama().save_pretrained(folder)
    char_tokenizer().save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def chars():
    from infinicli.tokenizer import Tokenizer

    return Tokenizer(char_tokenizer())


def run_entry(monkeypatch, capsys, args, home=None):
    """`infini ARGS` in this process, through the entry point (no fresh interpreter, so no torch import
    per call): a CompletedProcess with the exit code, stdout and stderr; INFINI_HOME is `home` if given."""
    import signal
    import subprocess
    import sys

    from infinicli import __main__ as entry

    if home is not None:
        monkeypatch.setenv("INFINI_HOME", str(home))
    monkeypatch.delenv("INFINI_DEBUG", raising=False)
    monkeypatch.setattr(sys, "argv", ["infini", *args])
    before = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(SystemExit) as ended:
            entry.main()
    finally:
        signal.signal(signal.SIGINT, before)
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), ended.value.code, captured.out, captured.err)


@pytest.fixture
def run_cli(monkeypatch, capsys, tmp_path):
    """run_entry as a fixture: run_cli(*args, home=None), INFINI_HOME in tmp_path unless given."""
    return lambda *args, home=None: run_entry(monkeypatch, capsys, args, home or tmp_path / "home")
