"""Saved states (crafted ones too) and document commands' input errors."""

from __future__ import annotations

import pytest
import torch

from infinicli import snapshot
from infinicli.config import EngineConfig
from infinicli.engine import InfiniModel, InfiniParams
from infinicli.errors import InfiniError
from tests.test_cli import assert_one_sentence_error

TINY_INFO = ("llama", 2, 4, 2, 16, 256, 0, "x")


def _saved(tiny, tmp_path, method="infini+recall", name="tiny-a"):
    from infinicli import reading
    from infinicli.model_store import ModelInfo

    cfg = EngineConfig.for_method(method, segment=8, window=16, pool_blocks=2, block=4, sink=4, adaptive=False)
    engine = InfiniModel(tiny, cfg)
    engine.read(torch.randint(0, 99, (100,)).tolist())
    info = ModelInfo(name, *TINY_INFO, "aaa", "none")
    done = reading.Reading("doc.txt", 100, 13, 1.0, 100.0, 1.0, method, engine.state.nbytes, "cafe")
    path = str(tmp_path / "doc.infini")
    reading.save(engine, info, done, path, force=False)
    return engine, info, path


@pytest.mark.parametrize("method", ["infini+recall", "full"])
def test_snapshot_round_trip_answers_identically(tiny, tmp_path, method):
    engine, info, path = _saved(tiny, tmp_path, method)
    want = engine.logits([5, 6, 7])
    header, _ = snapshot.read_header(path)
    assert header["tokens"] == 100 and header["model"] == "tiny-a"

    other = InfiniModel(tiny, EngineConfig.for_method("window", segment=32))  # the saved settings replace these
    snapshot.load(other, info, path)
    assert other.config == engine.config
    torch.testing.assert_close(other.logits([5, 6, 7]), want)
    assert other.state.nbytes == engine.state.nbytes
    assert other.state.pool.blocks_held() == engine.state.pool.blocks_held()
    torch.testing.assert_close(other.state.window.ids[:other.state.window.size],
                               engine.state.window.ids[:engine.state.window.size])
    assert not list(tmp_path.glob("*.tmp*"))  # written atomically, nothing left behind


def test_snapshot_header_rejects_other_files(tmp_path):
    from safetensors.torch import save_file

    save_file({"x": torch.zeros(2)}, str(tmp_path / "plain.safetensors"))
    with pytest.raises(InfiniError, match="not an infini snapshot"):
        snapshot.read_header(str(tmp_path / "plain.safetensors"))
    (tmp_path / "junk.infini").write_bytes(b"not a safetensors file at all")
    with pytest.raises(InfiniError, match="not an infini snapshot"):
        snapshot.read_header(str(tmp_path / "junk.infini"))


def _crafted(path, tmp_path, change_header=None, change_tensors=None):
    """A copy of the snapshot at `path` with its header and/or tensors changed, as an attacker would."""
    import json

    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(path, framework="pt") as f:
        header = json.loads(f.metadata()["infini"])
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    if change_header:
        change_header(header)
    if change_tensors:
        change_tensors(tensors)
    out = tmp_path / "crafted.infini"
    save_file(tensors, str(out), metadata={"infini": json.dumps(header)})
    return str(out)


def _set(d, key, value):
    d[key] = value


CRAFTED = {
    "a header field missing": (lambda h: h.pop("tokens"), None, "'tokens' is missing"),
    "a field of the wrong type": (lambda h: _set(h, "memory_writes", "7"), None, "'memory_writes'"),
    "a negative token count": (lambda h: _set(h, "tokens", -5), None, "-5 tokens"),
    "a window of 10^15 tokens": (lambda h: h["engine"].update(window=10**15), None, "window"),
    "an engine setting of another type": (lambda h: h["engine"].update(segment="8"), None, "'segment'"),
    "an unknown engine setting": (lambda h: h["engine"].update(evil=1), None, "evil"),
    "pool blocks that do not add up": (lambda h: _set(h, "pool_blocks", [4]), None, "recall pool|pool"),
    "a tensor missing": (None, lambda t: t.pop("memory.M"), "memory.M"),
    "a tensor of another shape": (None, lambda t: _set(t, "memory.z", torch.zeros(2, 2, 3)), "memory.z"),
    "a window longer than its settings": (None, lambda t: t.update(
        {k: torch.cat([v, v], dim=-2 if v.dim() == 4 else 0) for k, v in t.items() if k.startswith("window.")}),
        "window"),
    "a flipped exponent bit": (None, lambda t: t["window.k"].view(-1).__setitem__(0, float("inf")), "checksum"),
}


@pytest.mark.parametrize("case", list(CRAFTED))
def test_a_crafted_snapshot_is_refused_before_anything_is_allocated(tiny, tmp_path, case):
    engine, info, path = _saved(tiny, tmp_path)
    change_header, change_tensors, message = CRAFTED[case]
    bad = _crafted(path, tmp_path, change_header, change_tensors)
    before = engine.state
    with pytest.raises(InfiniError, match=message):
        snapshot.load(engine, info, bad)
    assert engine.state is before  # refused before the engine was touched


def test_a_snapshot_with_non_finite_values_and_a_matching_checksum_is_refused(tiny, tmp_path):
    engine, info, path = _saved(tiny, tmp_path)

    def poison(t):
        t["memory.M"].view(-1)[0] = float("nan")

    bad = _crafted(path, tmp_path, None, poison)
    import json

    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(bad, framework="pt") as f:  # the attacker recomputes the checksum
        header = json.loads(f.metadata()["infini"])
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    header["tensors_sha256"] = snapshot._tensors_sha256(tensors)
    save_file(tensors, bad, metadata={"infini": json.dumps(header)})
    with pytest.raises(InfiniError, match="not finite"):
        snapshot.load(engine, info, bad)


def test_document_commands_refuse_bad_input(tmp_path, run_cli):
    home = tmp_path / "home"
    assert_one_sentence_error(run_cli("ask", str(tmp_path / "missing.pdf"), "-q", "why?", home=home),
                              "does not exist")
    doc = tmp_path / "doc.txt"
    doc.write_text("hello")
    assert_one_sentence_error(run_cli("read", str(doc), "--save", str(tmp_path / "x.bin"), home=home),
                              ".infini")
    existing = tmp_path / "summary.md"
    existing.write_text("mine")
    assert_one_sentence_error(run_cli("summarize", str(doc), "--out", str(existing), home=home), "--force")
    assert existing.read_text() == "mine"  # nothing the user owns is modified
    assert_one_sentence_error(run_cli("summarize", str(doc), "--length", "epic", home=home), "--length")
    assert not (home / "models").exists()  # all refused before any model was loaded


def test_code_command_refuses_bad_input(tmp_path, run_cli):
    home = tmp_path / "home"
    assert_one_sentence_error(run_cli("code", str(tmp_path / "nope"), home=home), "nope")
    (tmp_path / "empty").mkdir()
    assert_one_sentence_error(run_cli("code", str(tmp_path / "empty"), home=home), "no text files")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "a.py").write_text("x = 1\n")
    assert_one_sentence_error(run_cli("code", str(tmp_path / "repo"), "--max-file-size", "huge", home=home),
                              "size")
    assert not (home / "models").exists()


def test_saved_state_from_another_model_or_format_is_refused(tiny, tmp_path):
    from infinicli import reading
    from infinicli.model_store import ModelInfo

    engine, info, path = _saved(tiny, tmp_path)
    done = reading.Reading("doc.txt", 100, 13, 1.0, 100.0, 1.0, "infini", engine.state.nbytes, "cafe")
    with pytest.raises(InfiniError, match="exists"):
        reading.save(engine, info, done, path, force=False)
    assert reading.load(engine, info, path).tokens == 100  # same model: accepted
    other = ModelInfo("tiny-b", *TINY_INFO, "bbb", "none")
    with pytest.raises(InfiniError, match="made with model tiny-a"):
        reading.load(engine, other, path)
    gated = InfiniModel(tiny, engine.config, params=InfiniParams.for_model(tiny, gate_beta=0.0))
    with pytest.raises(InfiniError, match="other Infini parameters"):
        reading.load(gated, info, path)
    old = _crafted(path, tmp_path, lambda h: _set(h, "format", "infini-state/1"))
    with pytest.raises(InfiniError, match="read the document again"):
        reading.load(engine, info, old)


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
