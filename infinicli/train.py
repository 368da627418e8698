"""`infini train`: learn the Infini parameters (gates, memory-path adapters) by BPTT across segments.

A sample is a passkey haystack read segment by segment with no carried window, pool or sink, so the
compressive memory is the only way the key can reach the question; the loss is the cross-entropy of
the answer (" 12345.", leading space and full stop included: the stop teaches the model to end the
key rather than run on into more digits) after the question, in the open segment. Gradients
flow back through every memory write to the first segment. Only the Infini parameters train; the
model's own weights are frozen, and local attention is exactly the pretrained model's.

The curriculum grows segment count and length (issue 4's lessons: short segments first, clipped
gradients). Everything is resumable from the output folder: parameters and optimizer state as
safetensors, the step and settings as JSON, and a JSON-lines log of loss, answer-token accuracy, the
gate histogram and held-out greedy passkey accuracy.
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from infinicli.atomic import atomic_path, write_text
from infinicli.config import EngineConfig
from infinicli.engine import InfiniModel, InfiniParams
from infinicli.errors import InfiniError
from infinicli.tasks import passkey
from infinicli.tokenizer import Tokenizer

OPTIMIZER_FILE = "optimizer.safetensors"
STATE_FILE = "trainer.json"
LOG_FILE = "train-log.jsonl"
CARD_FILE = "card.md"
HAND_WRITTEN = "<!-- written by hand below this line; `infini train` keeps it when it rewrites the card -->"
EVAL_SEED = 987_654_321  # held-out samples come from their own seed, never from training's


@dataclass(frozen=True, slots=True)
class Stage:
    """Up to (not including) step `until`: `segment`-token segments, min..max of them per sample."""

    until: int
    segment: int
    min_segments: int
    max_segments: int


CURRICULUM = (Stage(600, 128, 2, 4), Stage(900, 128, 8, 8), Stage(1200, 256, 4, 8),
              Stage(10**9, 512, 4, 8))


def stage_at(step: int, curriculum: tuple[Stage, ...] = CURRICULUM) -> Stage:
    return next(s for s in curriculum if step < s.until)


@dataclass(slots=True)
class Settings:
    rank: int = 8
    lr: float = 1e-3  # adapters
    gate_lr: float = 0.05
    gate_init: float = -3.0
    clip: float = 1.0
    seed: int = 0
    eval_every: int = 50
    eval_samples: int = 8
    checkpoint_every: int = 25


@dataclass(slots=True)
class Sample:
    segments: list[list[int]]
    question: list[int]
    answer: list[int]  # " 12345.": the key with its leading space and the full stop that ends it
    key: int


Sampler = Callable[[random.Random, Stage], Sample]


def make_sample(tok: Tokenizer, rng: random.Random, stage: Stage) -> Sample:
    """A haystack of n full segments with the needle anywhere in them, then the question."""
    n = rng.randint(stage.min_segments, stage.max_segments)
    key = rng.randint(10000, 99999)
    hay = passkey.build(tok, n * stage.segment + 64, rng.random(), key)
    ids = hay.ids[: n * stage.segment]
    if hay.needle_at + 16 > len(ids):  # keep the whole needle inside what is read
        ids = hay.ids[: hay.needle_at + 16]
    segments = [ids[i: i + stage.segment] for i in range(0, len(ids), stage.segment)]
    return Sample(segments, hay.question, tok.encode(f" {key}."), key)


def training_config(stage: Stage) -> EngineConfig:
    """Memory only: no window, pool or sink, so nothing but the memory carries the key."""
    return EngineConfig.for_method("infini", segment=stage.segment, window=0, sink=0, adaptive=False)


def sample_loss(engine: InfiniModel, sample: Sample) -> tuple[torch.Tensor, float]:
    """Cross-entropy of the answer tokens after the question, and the share of them predicted.

    The engine reads under its configured settings (see training_config), from an empty state."""
    engine.reset()
    for seg in sample.segments:
        engine.consume(seg)
    ids = sample.question + sample.answer
    logits = engine.logits(ids)[len(sample.question) - 1: len(ids) - 1]
    target = torch.tensor(sample.answer)
    loss = torch.nn.functional.cross_entropy(logits, target)
    acc = float((logits.argmax(-1) == target).float().mean())
    return loss, acc


def greedy_eval(engine: InfiniModel, sampler: Sampler, stage: Stage, n: int) -> float:
    """Held-out greedy accuracy at this stage's setting: the answer's tokens, exactly."""
    rng = random.Random(EVAL_SEED + stage.segment * 100 + stage.max_segments)
    was, engine.training = engine.training, False
    right = 0
    try:
        for _ in range(n):
            sample = sampler(rng, stage)
            engine.reset(training_config(stage))
            for seg in sample.segments:
                engine.consume(seg)
            out = engine.generate(sample.question, len(sample.answer))
            right += out == sample.answer
    finally:
        engine.training = was
    return right / n


def gate_histogram(params: InfiniParams, bins: int = 10) -> list[int]:
    """How many heads give the memory each share (sigmoid(beta)) in [0, 0.1), [0.1, 0.2), ..."""
    share = torch.sigmoid(params.beta.detach()).flatten()
    return torch.histc(share, bins=bins, min=0.0, max=1.0).int().tolist()


def _optimizer(params: InfiniParams, s: Settings) -> torch.optim.Optimizer:
    adapters = [p for name, p in params.named_parameters() if name != "beta"]
    groups = [{"params": [params.beta], "lr": s.gate_lr}]
    if adapters:
        groups.append({"params": adapters, "lr": s.lr})
    return torch.optim.AdamW(groups, weight_decay=0.0)


def _save_optimizer(opt: torch.optim.Optimizer, path: Path) -> None:
    """Adam's moments as safetensors (no pickle); the scalar step counts ride along as tensors."""
    from safetensors.torch import save_file

    tensors = {}
    for idx, st in opt.state_dict()["state"].items():
        for name, value in st.items():
            tensors[f"{idx}.{name}"] = torch.as_tensor(value).detach().clone().contiguous()
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp))


def _load_optimizer(opt: torch.optim.Optimizer, path: Path) -> None:
    from safetensors.torch import load_file

    tensors = load_file(str(path))
    state: dict[int, dict] = {}
    for key, value in tensors.items():
        idx, name = key.split(".", 1)
        state.setdefault(int(idx), {})[name] = value
    sd = opt.state_dict()
    sd["state"] = state
    opt.load_state_dict(sd)


def freeze(model) -> None:
    """Only the Infini parameters train; the model's own weights never change."""
    for p in model.parameters():
        p.requires_grad_(False)


def _read_log(log: Path) -> list[dict]:
    """The records of train-log.jsonl, oldest first (none if there is no log yet)."""
    return [json.loads(ln) for ln in log.read_text().splitlines() if ln] if log.exists() else []


def _drop_log_after(log: Path, step: int) -> None:
    if log.exists():
        kept = [r for r in _read_log(log) if r["step"] <= step]
        write_text(log, "".join(json.dumps(r) + "\n" for r in kept))


def write_card(out_dir: Path, model_name: str, settings: Settings, step: int,
               curriculum: tuple[Stage, ...] = CURRICULUM) -> None:
    """card.md: the recipe, the CPU time spent and the accuracy reached, all read from the log.

    Whatever follows the HAND_WRITTEN line in an existing card (evaluations run by hand) is kept."""
    records = _read_log(out_dir / LOG_FILE)
    card = out_dir / CARD_FILE
    old = card.read_text() if card.exists() else ""
    kept = old[old.index(HAND_WRITTEN):] if HAND_WRITTEN in old else ""
    seconds = sum(r["seconds"] for r in records)
    evals = [r for r in records if "eval_greedy_acc" in r]
    last = records[-20:]
    stages = ", then ".join(f"segment {s.segment} x {s.min_segments}-{s.max_segments}"
                            + (f" until step {s.until}" if s.until < 10**9 else "") for s in curriculum)
    lines = [
        f"# Infini parameters for {model_name}", "",
        "Made by `infini train`; load them into any command with `--params <this folder>`.", "",
        "## Recipe", "",
        f"- Trained: one gate per layer and query head (start {settings.gate_init}, lr {settings.gate_lr}) and "
        f"rank-{settings.rank} q/k adapters on the memory path only (lr {settings.lr}); the model's own "
        "weights are frozen.",
        "- Samples: passkey haystacks read with no window, pool or sink, so only the compressive memory "
        "can carry the key; loss: cross-entropy of the key's tokens (leading space and the full stop "
        "after the key included) after the question; BPTT through every memory write.",
        f"- Curriculum: {stages}.",
        f"- AdamW, gradient norm clipped at {settings.clip}, seed {settings.seed}.", "",
        "## Result", "",
        f"- Steps: {step}; time spent in steps: {seconds / 60:.1f} min on this machine's CPU "
        f"({os.cpu_count()} cores, float32).",
    ]
    if last:
        lines.append(f"- Mean loss over the last {len(last)} steps: "
                     f"{sum(r['loss'] for r in last) / len(last):.3f}; answer-token accuracy "
                     f"(teacher-forced): {sum(r['answer_token_acc'] for r in last) / len(last):.2f}.")
    if evals:
        lines += ["", f"Held-out greedy passkey accuracy ({settings.eval_samples} samples at the step's "
                  "stage, whole key exact):", "", "| step | segment x count | accuracy |", "|---:|---|---:|"]
        for r in evals:
            stage = stage_at(r["step"] - 1, curriculum)
            lines.append(f"| {r['step']} | {stage.segment} x {stage.min_segments}-{stage.max_segments} | "
                         f"{r['eval_greedy_acc']:.0%} |")
    if records:
        lines += ["", f"Gates at the end (heads per tenth of sigmoid(beta), 0-0.1 first): "
                  f"{records[-1]['gates']}."]
    write_text(card, "\n".join(lines) + "\n" + ("\n" + kept if kept else ""))


def train(model, sampler: Sampler, out_dir: Path, steps: int, settings: Settings, model_name: str,
          on_step: Callable[[dict], None] = lambda r: None,
          curriculum: tuple[Stage, ...] = CURRICULUM) -> InfiniParams:
    """Train up to `steps` (total, counting earlier runs into the same folder); return the parameters."""
    out_dir.mkdir(parents=True, exist_ok=True)
    state_path = out_dir / STATE_FILE
    step = 0
    if state_path.exists():
        saved = json.loads(state_path.read_text())
        if saved["model"] != model_name:
            raise InfiniError(f"{out_dir} holds training of {saved['model']}, not {model_name}")
        settings = Settings(**saved["settings"])
        params = InfiniParams.load(out_dir, model)
        step = saved["step"]
        _drop_log_after(out_dir / LOG_FILE, step)  # steps logged after the last checkpoint run again
    else:
        params = InfiniParams.for_model(model, rank=settings.rank, gate_beta=settings.gate_init)
    freeze(model)
    opt = _optimizer(params, settings)
    if step and (out_dir / OPTIMIZER_FILE).exists():
        _load_optimizer(opt, out_dir / OPTIMIZER_FILE)
    engine = InfiniModel(model, training_config(stage_at(step, curriculum)), params)
    engine.training = True

    def checkpoint() -> None:
        params.save(out_dir, {"model": model_name, "steps": str(step)})
        _save_optimizer(opt, out_dir / OPTIMIZER_FILE)
        write_text(state_path, json.dumps({"model": model_name, "step": step,
                                           "settings": asdict(settings)}, indent=2) + "\n")
        write_card(out_dir, model_name, settings, step, curriculum)

    log = out_dir / LOG_FILE
    while step < steps:
        stage = stage_at(step, curriculum)
        rng = random.Random(settings.seed * 1_000_003 + step)  # resumable without saving RNG state
        sample = sampler(rng, stage)
        t0 = time.perf_counter()
        engine.configure(training_config(stage))  # the stage's segment length from here on
        loss, acc = sample_loss(engine, sample)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = float(torch.nn.utils.clip_grad_norm_(params.parameters(), settings.clip))
        if not math.isfinite(norm):
            raise InfiniError(f"training diverged at step {step + 1} (gradient norm {norm})")
        opt.step()
        step += 1
        record = {"step": step, "loss": round(float(loss.detach()), 4), "answer_token_acc": round(acc, 3),
                  "grad_norm": round(norm, 3), "segment": stage.segment, "segments": len(sample.segments),
                  "seconds": round(time.perf_counter() - t0, 2), "gates": gate_histogram(params)}
        if step % settings.eval_every == 0 or step == steps:
            record["eval_greedy_acc"] = greedy_eval(engine, sampler, stage, settings.eval_samples)
        with open(log, "a") as f:
            f.write(json.dumps(record) + "\n")
        on_step(record)
        if step % settings.checkpoint_every == 0 or step == steps:
            checkpoint()
    return params
