"""The command line's shared options, declared once: every command that runs the model takes the
same engine settings, shown in their own help panel."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class Method(str, Enum):
    """config.METHODS as choices `--help` lists (config is not imported here: it loads torch)."""

    full = "full"
    window = "window"
    infini = "infini"
    recall = "infini+recall"


class Rule(str, Enum):
    """config.RULES."""

    delta = "delta"
    linear = "linear"


class BatchTask(str, Enum):
    """batch.TASKS."""

    summarize = "summarize"
    ask = "ask"
    read = "read"
    code = "code"


class Precision(str, Enum):
    """precision.PRECISIONS."""

    fp32 = "fp32"
    fp16 = "fp16"
    int4 = "int4"
    fp16_int4 = "fp16+int4"
    bf16_int4 = "bf16+int4"


DEFAULT_PRECISION = Precision.fp16_int4  # precision.DEFAULT_PRECISION (test_cli checks that the two agree)


class Length(str, Enum):
    """tasks.summarize.LENGTHS."""

    short = "short"
    medium = "medium"
    long = "long"


def value(choice: Enum | str | None) -> str | None:
    """The plain string of an option's choice (a library call may pass the string itself)."""
    return choice.value if isinstance(choice, Enum) else choice

TUNING = "Engine tuning"  # the help panel of the options that change how the engine reads

ModelOpt = Annotated[str, typer.Option("--model", "-m", help="Model name, local HF directory or .gguf file.")]
MethodOpt = Annotated[Method | None, typer.Option(
    help="Default: infini+recall, or exact attention when the input fits the model's context.",
    rich_help_panel=TUNING)]
SegmentOpt = Annotated[int, typer.Option(help="Tokens per segment.", rich_help_panel=TUNING)]
WindowOpt = Annotated[int | None, typer.Option(help="Carried window of exact KV, in tokens.",
                                               rich_help_panel=TUNING)]
PoolOpt = Annotated[int | None, typer.Option("--pool", help="Recall pool size, in blocks.", rich_help_panel=TUNING)]
BlockOpt = Annotated[int | None, typer.Option(help="Recall pool block size, in tokens.", rich_help_panel=TUNING)]
RuleOpt = Annotated[Rule, typer.Option(help="Memory update rule.", rich_help_panel=TUNING)]
GateOpt = Annotated[float | None, typer.Option(
    "--gate", help="Memory gate logit beta for every head (default -3, i.e. a 5% memory share).",
    rich_help_panel=TUNING)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of tables.")]
ProbeHeadsOpt = Annotated[int, typer.Option(
    "--probe-heads", help="Score the recall pool with the question's attention in this model's N best "
                          "retrieval heads only (found once per model and cached); 0: every head.",
    rich_help_panel=TUNING)]
PROBE_HEADS = 8
ParamsOpt = Annotated[Path | None, typer.Option(
    "--params", help="Trained Infini parameters (gates, memory adapters): a folder made by `infini train`.",
    rich_help_panel=TUNING)]
PrecisionOpt = Annotated[Precision, typer.Option(
    help="Weights of the model's linear layers: fp16+int4 (reads as fp16, decodes as int4), bf16+int4 (reads "
         "in bfloat16, on a CPU with AVX-512 BF16 or AMX), fp16 (logits "
         "within 0.04 of fp32's), int4 (4-bit codes, as the default model's GGUF has them: reads in float32, "
         "decodes through bfloat16, 1.7x fp16's decode rate) or fp32 as loaded.", rich_help_panel=TUNING)]
FileArg = Annotated[str, typer.Argument(help="A PDF, a text or markdown file, - for stdin, or a saved .infini state.")]
PasswordOpt = Annotated[str | None, typer.Option(help="Password of an encrypted PDF.")]

# bench
MethodsOpt = Annotated[str, typer.Option(help="Comma-separated methods.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV rows instead of a table.")]
ALL_METHODS = "full,window,infini,infini+recall"
DEFAULT_BENCH_DIR = Path("bench-results")
OutDirOpt = Annotated[Path, typer.Option(
    "--out", help="Folder for one JSON per run (an interrupted run resumes from it) and the plots.")]
LengthOpt = Annotated[Length, typer.Option(help="How long the notes and the overview may be.")]
