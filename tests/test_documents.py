"""Saved states, the note stack of streaming summaries, and document commands' input errors."""

from __future__ import annotations

import pytest
import torch

from infinicli.config import EngineConfig
from infinicli.engine import InfiniModel, InfiniParams
from infinicli.state import load_snapshot_into, read_snapshot_header, save_snapshot
from tests.test_cli import assert_one_sentence_error, infini


@pytest.mark.parametrize("method", ["infini+recall", "full"])
def test_snapshot_round_trip_answers_identically(tiny, tmp_path, method):
    cfg = EngineConfig.for_method(method, segment=8, window=16, pool_blocks=2, block=4, sink=4,
                                  adaptive=False)
    engine = InfiniModel(tiny, cfg)
    ids = torch.randint(0, 99, (100,)).tolist()
    engine.read(ids)
    path = tmp_path / "doc.infini"
    save_snapshot(engine.state, str(path), {"model": "tiny"})
    want = engine.logits([5, 6, 7])
    header = read_snapshot_header(str(path))
    assert header["tokens"] == 100 and header["model"] == "tiny"

    other = InfiniModel(tiny, cfg)
    load_snapshot_into(other.state, str(path))
    torch.testing.assert_close(other.logits([5, 6, 7]), want)
    assert other.state.nbytes == engine.state.nbytes
    assert other.state.pool.blocks_held() == engine.state.pool.blocks_held()
    torch.testing.assert_close(other.state.window.ids[:other.state.window.size],
                               engine.state.window.ids[:engine.state.window.size])
    assert not list(tmp_path.glob("*.tmp*"))  # written atomically, nothing left behind


def test_snapshot_header_rejects_other_files(tmp_path):
    from safetensors.torch import save_file

    save_file({"x": torch.zeros(2)}, str(tmp_path / "plain.safetensors"))
    with pytest.raises(ValueError, match="not an infini snapshot"):
        read_snapshot_header(str(tmp_path / "plain.safetensors"))
    (tmp_path / "junk.infini").write_bytes(b"not a safetensors file at all")
    with pytest.raises(ValueError, match="not an infini snapshot"):
        read_snapshot_header(str(tmp_path / "junk.infini"))


def test_document_commands_refuse_bad_input(tmp_path):
    home = tmp_path / "home"
    assert_one_sentence_error(infini("ask", str(tmp_path / "missing.pdf"), "-q", "why?", home=home),
                              "does not exist")
    doc = tmp_path / "doc.txt"
    doc.write_text("hello")
    assert_one_sentence_error(infini("read", str(doc), "--save", str(tmp_path / "x.bin"), home=home),
                              ".infini")
    existing = tmp_path / "summary.md"
    existing.write_text("mine")
    assert_one_sentence_error(infini("summarize", str(doc), "--out", str(existing), home=home), "--force")
    assert existing.read_text() == "mine"  # nothing the user owns is modified
    assert_one_sentence_error(infini("summarize", str(doc), "--length", "epic", home=home), "--length")
    assert not (home / "models").exists()  # all refused before any model was loaded


def test_code_command_refuses_bad_input(tmp_path):
    home = tmp_path / "home"
    assert_one_sentence_error(infini("code", str(tmp_path / "nope"), home=home), "nope")
    (tmp_path / "empty").mkdir()
    assert_one_sentence_error(infini("code", str(tmp_path / "empty"), home=home), "no text files")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "a.py").write_text("x = 1\n")
    assert_one_sentence_error(infini("code", str(tmp_path / "repo"), "--max-file-size", "huge", home=home),
                              "size")
    assert not (home / "models").exists()


def test_saved_state_from_another_model_or_format_is_refused(tiny, tmp_path):
    from infinicli.errors import InfiniError
    from infinicli.models import ModelInfo
    from infinicli.tasks import reading

    engine = InfiniModel(tiny, EngineConfig.for_method("infini", segment=8, adaptive=False))
    engine.read(list(range(40)))
    info = ModelInfo("tiny-a", "llama", 2, 4, 2, 16, 256, 0, "x", "aaa", "none")
    done = reading.Reading("doc.txt", 40, 5, 1.0, 40.0, 1.0, "infini", engine.state.nbytes, "cafe")
    path = str(tmp_path / "doc.infini")
    reading.save(engine, info, done, path, force=False)
    with pytest.raises(InfiniError, match="exists"):
        reading.save(engine, info, done, path, force=False)
    assert reading.load(engine, info, path).tokens == 40  # same model: accepted
    other = ModelInfo("tiny-b", "llama", 2, 4, 2, 16, 256, 0, "y", "bbb", "none")
    with pytest.raises(InfiniError, match="made with model tiny-a"):
        reading.load(engine, other, path)
    gated = InfiniModel(tiny, engine.config, params=InfiniParams.for_model(tiny, gate_beta=0.0))
    with pytest.raises(InfiniError, match="other Infini parameters"):
        reading.load(gated, info, path)


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    from infinicli.atomic import atomic_path, write_text

    target = tmp_path / "summary.md"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    write_text(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.md"]
