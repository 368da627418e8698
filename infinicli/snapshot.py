"""Saved states (`.infini`): the engine's state after a reading, kept so questions can be asked later.

A snapshot is a safetensors file whose metadata holds a JSON header: the model and Infini parameters
it was made with, the engine's settings, the source's name and sha256, and the tensors' own sha256.
A snapshot is untrusted input: its header and every tensor's shape and dtype are checked against the
model and the settings (`validate`) before a byte of it is allocated, and the tensors against their
sha256 and for finite values once loaded. Nothing in it is unpickled.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path

import torch

from infinicli import resources
from infinicli.config import EngineConfig
from infinicli.errors import InfiniError

SUFFIX = ".infini"
FORMAT = "infini-state/2"  # 2: the tensors' sha256 in the header, every field checked
MOST_TOKENS = 1 << 40  # a token count beyond this is not one any reading produced
MOST_EXACT = 1 << 20  # tokens of exact K/V a saved window (even `full`'s unbounded one) may hold

# name -> (dims, dtype): L layers, H KV heads, d head dim; n window, m pool, s sink tokens
TENSORS = {
    "memory.M": ("LHdd", "F32"), "memory.z": ("LHd", "F32"),
    "window.k": ("LHnd", None), "window.v": ("LHnd", None), "window.pos": ("n", "I64"),
    "window.score": ("n", "F32"), "window.ids": ("n", "I64"),
    "pool.k": ("LHmd", None), "pool.v": ("LHmd", None), "pool.pos": ("m", "I64"), "pool.ids": ("m", "I64"),
    "sink.k": ("LHsd", None), "sink.v": ("LHsd", None),
}
OPTIONAL = {"window.ids", "pool.ids"}  # snapshots made before token ids were kept lack them
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def is_snapshot(path: str | Path) -> bool:
    return str(path).endswith(SUFFIX)


def check_save_path(path: str, force: bool) -> None:
    """Refuse a --save path before any reading: wrong suffix, a folder that is missing or read-only, a
    folder in its place, or an existing file without --force (atomic.check_writable)."""
    from infinicli.atomic import check_writable

    if not path.endswith(SUFFIX):
        raise InfiniError(f"--save needs a file name ending in {SUFFIX}, got {path}")
    check_writable(path, force=force)


def _tensors_sha256(tensors: Mapping[str, torch.Tensor]) -> str:
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        h.update(name.encode())
        h.update(str(tuple(t.shape)).encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def save(engine, header: dict, path: str, force: bool) -> int:
    """Write the engine's state with `header` (model, parameters, source: see reading.save), atomically;
    returns the file's size in bytes."""
    from safetensors.torch import save_file

    from infinicli.atomic import atomic_path

    check_save_path(path, force)
    state, cfg = engine.state, engine.config
    w, p = state.window, state.pool
    tensors = {
        "memory.M": torch.stack(state.memory.M), "memory.z": torch.stack(state.memory.z),
        "window.k": w.k[:, :, : w.size], "window.v": w.v[:, :, : w.size],
        "window.pos": w.pos[: w.size], "window.score": w.score[: w.size], "window.ids": w.ids[: w.size],
        "pool.k": p.k[:, :, : p.size], "pool.v": p.v[:, :, : p.size], "pool.pos": p.pos[: p.size],
        "pool.ids": p.ids[: p.size],
        "sink.k": p.sink_k[:, :, : p.sink_size], "sink.v": p.sink_v[:, :, : p.sink_size],
    }
    tensors = {k: v.contiguous() for k, v in tensors.items()}
    meta = {**header, "format": FORMAT, "engine": {f.name: getattr(cfg, f.name) for f in fields(cfg)},
            "tokens": state.tokens, "memory_writes": state.memory.writes,
            "pool_blocks": p.block_len, "pool_scores": p.block_score, "tensors_sha256": _tensors_sha256(tensors)}
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"infini": json.dumps(meta)})
    return os.path.getsize(path)


def read_header(path: str | Path) -> tuple[dict, dict[str, tuple[tuple[int, ...], str]]]:
    """The JSON header and each tensor's (shape, dtype), read without loading a tensor; InfiniError if
    the file is not an infini snapshot."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            shapes = {}
            for name in f.keys():
                s = f.get_slice(name)
                shapes[name] = (tuple(s.get_shape()), s.get_dtype())
    except (OSError, ValueError, RuntimeError, TypeError) as exc:  # safetensors' errors subclass these
        raise InfiniError(f"{path} is not an infini snapshot ({type(exc).__name__})") from None
    except Exception as exc:  # safetensors_rust.SafetensorError is an Exception subclass only
        if type(exc).__name__ != "SafetensorError":
            raise
        raise InfiniError(f"{path} is not an infini snapshot (not a safetensors file)") from None
    if "infini" not in meta:
        raise InfiniError(f"{path} is a safetensors file but not an infini snapshot")
    try:
        header = json.loads(meta["infini"])
    except ValueError:
        raise InfiniError(f"{path} has a damaged header (not JSON)") from None
    if not isinstance(header, dict):
        raise InfiniError(f"{path} has a damaged header (not a JSON object)")
    return header, shapes


def _shown(value: object, most: int = 60) -> str:
    """A header value as a message quotes it: as it is when printable, else its repr (so no control
    character from a crafted file reaches the terminal), cut to `most` characters."""
    text = value if isinstance(value, str) and value.isprintable() else repr(value)
    return text if len(text) <= most else text[: most - 1] + "…"


def _field(header: dict, name: str, kind: type | tuple[type, ...], path) -> object:
    value = header.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple)
                                                                               else (kind,))):
        raise InfiniError(f"{path} has a damaged header: {name!r} is missing or of the wrong type")
    return value


def engine_config(header: dict, path) -> EngineConfig:
    """The header's engine settings as an EngineConfig, each field of the type the engine expects."""
    saved = _field(header, "engine", dict, path)
    default = EngineConfig()
    known = {f.name for f in fields(EngineConfig)}
    if set(saved) != known:
        raise InfiniError(f"{path} has a damaged header: its engine settings are not this infini's "
                          f"({', '.join(_shown(k) for k in sorted(set(saved) ^ known))})")
    for name, value in saved.items():
        want = type(getattr(default, name))
        ok = isinstance(value, want) and not (isinstance(value, bool) and want is not bool)
        if name == "window" and value is None:
            ok = True
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok or (isinstance(value, float) and not math.isfinite(value)):
            raise InfiniError(f"{path} has a damaged header: engine setting {name!r} is {_shown(repr(value))}")
    exact = {"window": saved["window"] or 0, "segment": saved["segment"], "sink": saved["sink"],
             "pool": saved["pool_blocks"] * saved["block"]}
    for name, n in exact.items():
        if n > MOST_EXACT:
            raise InfiniError(f"{path} has a damaged header: a {name} of {n:,} tokens (at most {MOST_EXACT:,})")
    try:
        return EngineConfig(**saved)
    except InfiniError as exc:
        raise InfiniError(f"{path} has damaged engine settings: {exc}") from None


# the command line's engine options and the settings they become
OPTION_FIELDS = {"method": "method", "segment": "segment", "window": "window", "pool": "pool_blocks",
                 "block": "block", "rule": "rule", "gate": "gate_beta", "probe_heads": "probe_heads"}


def check_options(path: str | Path, given: dict[str, object]) -> None:
    """Refuse engine options (named as in OPTION_FIELDS) that differ from the settings a saved state was
    read with: the state is what those settings made, so another value could only be ignored."""
    header, _ = read_header(path)
    saved = engine_config(header, path)
    for option, wanted in given.items():
        have = getattr(saved, OPTION_FIELDS[option])
        if wanted != have:
            flag = "--" + option.replace("_", "-")
            raise InfiniError(f"{path} was read with {flag} {'unbounded' if have is None else have}, so "
                              f"{flag} {wanted} cannot apply; drop it, or read the document again with it")


def validate(engine, info, path, header: dict, shapes: dict) -> EngineConfig:
    """Check a snapshot's header and tensor shapes against this model, its parameters and the saved
    settings, before anything is allocated; return the settings to read it with."""
    if header.get("format") != FORMAT:
        raise InfiniError(f"{path} has snapshot format {_shown(repr(header.get('format')))}; this infini reads "
                          f"{FORMAT} (read the document again with --save)")
    model = _field(header, "model", str, path)
    if model != info.name or _field(header, "model_sha256", str, path) != info.sha256:
        raise InfiniError(f"{path} was made with model {_shown(model)}; load it with --model "
                          f"{_shown(model)} (this run uses {info.name})")
    params = _field(header, "parameters", str, path)
    if params != engine.parameters_id:
        raise InfiniError(f"{path} was made with other Infini parameters ({_shown(params)}); this run uses "
                          f"{engine.parameters_id}")
    for name in ("mode", "source", "source_sha256", "tensors_sha256"):
        _field(header, name, str, path)
    tokens = _field(header, "tokens", int, path)
    writes = _field(header, "memory_writes", int, path)
    if not 0 <= tokens <= MOST_TOKENS or not 0 <= writes <= tokens:
        raise InfiniError(f"{path} has a damaged header: {tokens} tokens read, {writes} memory writes")
    cfg = engine_config(header, path)
    lens, scores = _field(header, "pool_blocks", list, path), _field(header, "pool_scores", list, path)
    if (len(lens) != len(scores) or len(lens) > cfg.pool_blocks
            or not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= cfg.block for n in lens)
            or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                       for x in scores)):
        raise InfiniError(f"{path} has a damaged header: its recall pool blocks do not fit its settings")
    missing = set(TENSORS) - OPTIONAL - set(shapes)
    extra = set(shapes) - set(TENSORS)
    if missing or extra:
        raise InfiniError(f"{path} is damaged: tensors {', '.join(sorted(missing | extra))} "
                          f"{'missing' if missing else 'unexpected'}")
    n = shapes["window.pos"][0][0] if len(shapes["window.pos"][0]) == 1 else -1
    m = shapes["pool.pos"][0][0] if len(shapes["pool.pos"][0]) == 1 else -1
    s = shapes["sink.k"][0][2] if len(shapes["sink.k"][0]) == 4 else -1
    window_cap = MOST_EXACT if cfg.window is None else cfg.window
    if not (0 <= n <= min(window_cap, tokens) and 0 <= m <= cfg.pool_blocks * cfg.block and m == sum(lens)
            and 0 <= s <= cfg.sink):
        raise InfiniError(f"{path} is damaged: it holds {n} window, {m} pool and {s} sink tokens, "
                          "which its settings do not allow")
    dims = {"L": engine.layers, "H": engine.kv_heads, "d": engine.head_dim, "n": n, "m": m, "s": s}
    kv = DTYPES.get(engine.dtype, "F32")
    for name, (shape, dtype) in shapes.items():
        want_dims, want_dtype = TENSORS[name]
        want = tuple(dims[c] for c in want_dims)
        if shape != want or dtype != (want_dtype or kv):
            raise InfiniError(f"{path} does not fit this model: {name} is {dtype} {list(shape)}, "
                              f"expected {want_dtype or kv} {list(want)}")
    # The settings, not the tensors, size the buffers a load allocates, and the checksum covers the tensors
    # only: a header that merely asks for a window of 2^20 tokens would take ~48 GB with the default model.
    need, free = state_bytes(engine, cfg, n), resources.free_bytes()
    if not resources.fits(need, free):
        raise InfiniError(f"{path} asks for a state of {need / 1e9:,.1f} GB (a window of {cfg.window or n:,}, a pool "
                          f"of {cfg.pool_blocks * cfg.block:,} and a sink of {cfg.sink:,} tokens), more than this "
                          f"machine has free ({free / 1e9:,.1f} GB)")
    return cfg


def state_bytes(engine, cfg: EngineConfig, window_tokens: int = 0) -> int:
    """Bytes engine.reset(cfg) allocates for this model: the exact K/V of the window (`window_tokens` when
    it is unbounded), the pool and the sink, with their positions, and the compressive memory."""
    exact = (window_tokens if cfg.window is None else cfg.window) + cfg.pool_blocks * cfg.block + cfg.sink
    kv = 2 * engine.layers * engine.kv_heads * engine.head_dim * engine.dtype.itemsize
    memory = engine.layers * engine.kv_heads * engine.head_dim * (engine.head_dim + 1) * 4
    return exact * (kv + 20) + memory  # 20: a position, a score and a token id per exact token


def load(engine, info, path: str | Path) -> dict:
    """Restore a saved state into the engine (a fresh state under the saved settings); returns the
    header. Refuses, with one sentence, a file that is not a snapshot, one made by another model,
    parameters or format, and one whose header, shapes, checksum or values do not hold."""
    from safetensors.torch import load_file

    from infinicli.sources import check_input

    check_input(str(path))  # missing, a named pipe, a device: refused without opening it
    header, shapes = read_header(path)
    cfg = validate(engine, info, path, header, shapes)
    t = load_file(str(path))
    if _tensors_sha256(t) != header["tensors_sha256"]:
        raise InfiniError(f"{path} is damaged: its tensors do not match their checksum")
    if not all(torch.isfinite(v).all() for v in t.values() if v.is_floating_point()):
        raise InfiniError(f"{path} is damaged: it holds values that are not finite")
    engine.reset(cfg)
    state = engine.state
    state.memory.M, state.memory.z = list(t["memory.M"].unbind(0)), list(t["memory.z"].unbind(0))
    state.memory.writes = header["memory_writes"]
    w, p = state.window, state.pool
    n, m = t["window.pos"].numel(), t["pool.pos"].numel()
    window_ids = t.get("window.ids", torch.full((n,), -1, dtype=torch.long))
    pool_ids = t.get("pool.ids", torch.full((m,), -1, dtype=torch.long))
    if w.capacity is None:
        w.k, w.v, w.pos, w.score, w.ids = t["window.k"], t["window.v"], t["window.pos"], t["window.score"], window_ids
    else:
        w.k[:, :, :n], w.v[:, :, :n] = t["window.k"], t["window.v"]
        w.pos[:n], w.score[:n], w.ids[:n] = t["window.pos"], t["window.score"], window_ids
    w.size = n
    p.k[:, :, :m], p.v[:, :, :m], p.pos[:m] = t["pool.k"], t["pool.v"], t["pool.pos"]
    p.ids[:m] = pool_ids
    p.block_len, p.block_score = list(header["pool_blocks"]), [float(x) for x in header["pool_scores"]]
    s = t["sink.k"].shape[2]
    p.sink_k[:, :, :s], p.sink_v[:, :, :s] = t["sink.k"], t["sink.v"]
    p.sink_size = s
    state.tokens = header["tokens"]
    return header
