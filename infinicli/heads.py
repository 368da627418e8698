"""Retrieval heads: the few attention heads whose probe attention singles out a passage that answers.

Summed over every layer and head, the question's attention mass ranked a one-sentence needle in
natural prose below 7 to 31 other blocks of 135 in 10 of 12 trials (a scratch measurement, issue 4;
the 8 heads calibrated here put it first in all 12): most heads attend to positions, punctuation
and common words whatever the question asks, and a handful in the upper middle layers single out
the needle's block. They are found once per model, by calibration: short
needles written for infini, each hidden in filler text, each asked for with its own question, and the
heads ranked by how far the needle's block stands above the best block of plain filler.

The filler is the Python language reference shipped with every CPython (pydoc_data), so the
calibration shares no text with the passkey filler or the sample book's haystack it is tested on.
"""

from __future__ import annotations

import hashlib
import json
import platform
import random
from collections.abc import Callable
from pathlib import Path

import torch

from infinicli.atomic import write_text
from infinicli.config import EngineConfig
from infinicli.errors import InfiniError

# (needle, question): written for this project; none is the passkey or the sample haystack's needle.
PAIRS = [
    ("The ferryman kept his savings under the third floorboard from the stove.",
     "Where did the ferryman keep his savings?"),
    ("Old Tamsin's lantern burned whale oil that she bought from a trader called Pennock.",
     "Who sold Old Tamsin her lantern oil?"),
    ("The signal flag for a sick crew aboard was a yellow square with a black cross.",
     "What flag signals a sick crew aboard?"),
    ("The vicar's parrot had learned to whistle the first bars of a hymn called Morning Tide.",
     "What tune could the vicar's parrot whistle?"),
]
SEGMENT = 448  # filler tokens per calibration segment, after a 64-token prefix
BLOCK = EngineConfig().block  # the recall pool's block: a head is rated by the blocks it would keep
FORMAT = "infini-heads/1"
SHIPPED = Path(__file__).parent / "data" / "heads"  # calibrations made here, for known models
FILLER = f"pydoc_data.topics, Python {platform.python_version()}"  # the text differs even between patch releases


def filler_tokens(tok, n: int) -> list[int]:
    """At least n tokens of the Python language reference, in a fixed order."""
    try:
        from pydoc_data.topics import topics
    except ImportError:  # pragma: no cover - every CPython ships it; some distributions split it out
        raise InfiniError("calibrating retrieval heads needs Python's pydoc_data module") from None
    ids: list[int] = []
    for name in sorted(topics):
        ids += tok.encode(topics[name] + "\n\n")
        if len(ids) >= n:
            break
    return ids


def _segment_mass(engine, prefix: list[int], segment: list[int], probe: list[int]) -> torch.Tensor:
    """The probe's per-head attention mass (L, H, n) on a segment read right after a short prefix."""
    engine.reset(EngineConfig.for_method("infini+recall", segment=len(prefix) + len(segment),
                                         window=len(prefix) + len(segment), pool_blocks=1, block=BLOCK,
                                         sink=len(prefix), adaptive=False))
    engine.set_probe(probe)
    engine.consume(prefix)
    engine.consume(segment)
    return engine.last_probe_mass[:, :, -len(segment):]


def _blocks(mass: torch.Tensor) -> torch.Tensor:
    """(L, H, n) token mass to (L, H, blocks) block mass, blocks of BLOCK tokens."""
    n = mass.shape[-1]
    nb = -(-n // BLOCK)
    return torch.nn.functional.pad(mass, (0, nb * BLOCK - n)).view(*mass.shape[:2], nb, BLOCK).sum(-1)


def calibrate(engine, tok, hosts: int = 4, distractors: int = 8, seed: int = 0) -> torch.Tensor:
    """Each head's mean log-margin (L, H): log(needle block mass) - log(best filler block mass)."""
    rng = random.Random(seed)
    filler = filler_tokens(tok, (hosts + distractors) * (SEGMENT + 64) * 2)
    starts = rng.sample(range(64, len(filler) - SEGMENT, BLOCK), hosts + distractors)
    prefix = filler[:64]
    margins = []
    with engine.borrowed():
        for needle, question in PAIRS:
            probe = tok.question(question)
            plain = []
            for s in starts[hosts:]:
                plain.append(_blocks(_segment_mass(engine, prefix, filler[s: s + SEGMENT], probe)))
            plain = torch.cat(plain, -1)
            nd = tok.encode(" " + needle + "\n")
            for s in starts[:hosts]:
                host = filler[s: s + SEGMENT - len(nd)]
                breaks = [i for i, t in enumerate(host) if "\n" in tok.decode([t])] or [len(host) // 2]
                at = rng.choice(breaks) + 1
                mass = _blocks(_segment_mass(engine, prefix, host[:at] + nd + host[at:], probe))
                hit = list(range(at // BLOCK, (at + len(nd) - 1) // BLOCK + 1))
                rest = [b for b in range(mass.shape[-1]) if b not in hit]
                best_other = torch.cat([plain, mass[:, :, rest]], -1).max(-1).values
                margins.append(mass[:, :, hit].max(-1).values.log() - best_other.log())
    return torch.stack(margins).mean(0)


def steps(hosts: int = 4, distractors: int = 8) -> int:
    return len(PAIRS) * (hosts + distractors)


def select(margin: torch.Tensor, k: int) -> torch.Tensor:
    """0/1 weights (L, H) for the k heads with the largest margin."""
    w = torch.zeros(margin.numel())
    w[margin.flatten().topk(min(k, margin.numel())).indices] = 1.0
    return w.view(margin.shape)


def model_key(model) -> str:
    """Identifies a model's weights (not its path): a hash of its embedding table's first rows."""
    emb = model.get_input_embeddings().weight[:64].detach().float().contiguous()
    return hashlib.sha256(emb.numpy().tobytes()).hexdigest()[:16]


def cache_file(home: Path, model) -> Path:
    return home / "heads" / f"{model_key(model)}.json"


def load_or_calibrate(engine, tok, home: Path, say: Callable[[str], None] = lambda _: None) -> torch.Tensor:
    """The model's head margins (L, H): shipped with infini (the default model's, made by this
    calibration), from the cache, or calibrated once and cached."""
    path = cache_file(home, engine.model)
    for known in (SHIPPED / path.name, path):
        if known.is_file():
            data = json.loads(known.read_text())
            margin = torch.tensor(data["margin"]) if data.get("format") == FORMAT else None
            if margin is not None and tuple(margin.shape) == (engine.layers, engine.heads):
                return margin
    say(f"Finding this model's retrieval heads (once; {steps()} short calibration reads)")
    margin = calibrate(engine, tok)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps({"format": FORMAT, "pairs": len(PAIRS), "segment": SEGMENT, "filler": FILLER,
                                 "margin": [[round(float(x), 4) for x in row] for row in margin]}))
    return margin
