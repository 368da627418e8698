"""The `infini` command line: parse, call, render (the error boundary is __main__.main)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Annotated

import typer

from infinicli import __version__
from infinicli.cli_tools import bench_app, models_app, train
from infinicli.errors import InfiniError
from infinicli.options import (
    DEFAULT_PRECISION,
    PROBE_HEADS,
    BatchTask,
    BlockOpt,
    FileArg,
    GateOpt,
    JsonOpt,
    Length,
    LengthOpt,
    MethodOpt,
    ModelOpt,
    ParamsOpt,
    PasswordOpt,
    PoolOpt,
    PrecisionOpt,
    ProbeHeadsOpt,
    Rule,
    RuleOpt,
    SegmentOpt,
    WindowOpt,
    value,
)

app = typer.Typer(
    help="Read inputs far longer than a model's context, with flat memory (Infini-attention).",
    no_args_is_help=True, pretty_exceptions_enable=False, context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"infini {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                         help="Show the version and exit.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress or notes on stderr; warnings and errors "
                                                         "only.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Progress as a plain line per segment.")] = False,
) -> None:
    """Read inputs far longer than a model's context, with flat memory (Infini-attention)."""
    if quiet and verbose:
        raise InfiniError("--quiet and --verbose cannot both be given")
    from infinicli import ui

    ui.verbosity = ui.QUIET if quiet else ui.VERBOSE if verbose else ui.NORMAL


def _session(out, model: str, method: str | None, segment: int, window: int | None, pool: int | None,
             block: int | None, rule: str, gate: float | None, params: Path | None = None, probe_heads: int = 0,
             precision: str = DEFAULT_PRECISION.value):
    """The session every command runs in: model, trained parameters and retrieval heads, loaded once."""
    from infinicli.session import Session

    return Session.load(model, method=value(method), segment=segment, window=window, pool=pool, block=block,
                        rule=value(rule), gate=gate, params=params, probe_heads=probe_heads,
                        precision=value(precision), say=out.say)


# --- passkey --------------------------------------------------------------------------------------

@app.command()
def passkey(
    length: Annotated[int, typer.Option(help="Input length in tokens.")] = 4000,
    depth: Annotated[float, typer.Option(help="Where the needle sits, 0 (start) to 1 (end).")] = 0.5,
    trials: Annotated[int, typer.Option(help="Number of trials, each with its own key.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed for the keys.")] = 0,
    model: ModelOpt = "smollm2-135m-instruct", method: MethodOpt = None, segment: SegmentOpt = 512,
    window: WindowOpt = None, pool: PoolOpt = None, block: BlockOpt = None, rule: RuleOpt = Rule.delta,
    gate: GateOpt = None, params: ParamsOpt = None,
    precision: PrecisionOpt = DEFAULT_PRECISION, probe_heads: ProbeHeadsOpt = PROBE_HEADS, as_json: JsonOpt = False,
) -> None:
    """Hide a pass key in filler text and ask for it back (the Landmark / llama.cpp test)."""
    from infinicli.tasks import passkey as pk
    from infinicli.ui import Output, passkey_view, trial_line

    pk.check_options(length, depth, trials)
    out = Output(as_json)
    session = _session(out, model, method, segment, window, pool, block, rule, gate, params, probe_heads, precision)
    with contextlib.ExitStack() as bars:
        def start(i: int, key: int):
            bars.close()
            return bars.enter_context(out.progress(f"trial {i}/{trials}", -(-length // segment)))

        def done(i: int, trial) -> None:
            bars.close()
            if not as_json:
                out.err.print(trial_line(i, trial))

        result = pk.run(session.engine, session.tok, length, depth, trials, seed, on_trial=start, on_done=done)
    summary = result.as_dict()

    out.emit(summary, lambda c: passkey_view(c, result))


# --- documents: ask, read, summarize ---------------------------------------------------------------


def _check_input(path: str, ctx: typer.Context | None = None, states: bool = True,
                 password: str | None = None) -> None:
    """session.check_input, before the model loads, with the engine options given on the command line
    (a saved state must have been read with the same)."""
    from infinicli import snapshot
    from infinicli.session import check_input

    given = None if ctx is None else {
        name: value(ctx.params[name]) for name in snapshot.OPTION_FIELDS
        if name in ctx.params and ctx.get_parameter_source(name).name == "COMMANDLINE"}
    check_input(path, given, states, password)


@app.command()
def ask(
    ctx: typer.Context,
    file: FileArg,
    question: Annotated[str, typer.Option("--question", "-q", help="The question.")],
    max_tokens: Annotated[int, typer.Option(help="Longest answer, in tokens.")] = 64,
    answer_prefix: Annotated[str, typer.Option("--answer-prefix", help="Start the answer with this text "
                                               "(e.g. \"The code is\"); small models answer better so.")] = "",
    password: PasswordOpt = None, model: ModelOpt = "smollm2-135m-instruct", method: MethodOpt = None,
    segment: SegmentOpt = 512, window: WindowOpt = None, pool: PoolOpt = None, block: BlockOpt = None,
    rule: RuleOpt = Rule.delta, gate: GateOpt = None, params: ParamsOpt = None,
    precision: PrecisionOpt = DEFAULT_PRECISION,
    probe_heads: ProbeHeadsOpt = PROBE_HEADS,
    from_state: Annotated[bool, typer.Option(
        "--from-state", help="Answer from the whole memory state, not from the quoted evidence.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question about a long document (or a saved .infini state), citing the lines it rests on.

    Example: infini ask manual.pdf -q "What port does the mail example use?"
    """
    from infinicli.tasks import ask as ask_task
    from infinicli.ui import Output, answer_view, input_name

    _check_input(file, ctx, password=password)
    ask_task.check_question(question)
    out = Output(as_json)
    session = _session(out, model, method, segment, window, pool, block, rule, gate, params, probe_heads, precision)
    with out.progress(f"reading {input_name(file)}", None) as view:
        result = session.ask(file, question, password=password, max_tokens=max_tokens, answer_prefix=answer_prefix,
                             from_state=from_state, on_segment=view, on_text=view.answer)

    out.emit(result.as_dict(), lambda c: answer_view(out, c, result))


@app.command()
def read(
    file: FileArg,
    save: Annotated[str, typer.Option("--save", help="Where to save the state (NAME.infini).")],
    force: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
    password: PasswordOpt = None, model: ModelOpt = "smollm2-135m-instruct", method: MethodOpt = None,
    segment: SegmentOpt = 512, window: WindowOpt = None, pool: PoolOpt = None, block: BlockOpt = None,
    rule: RuleOpt = Rule.delta, gate: GateOpt = None, params: ParamsOpt = None,
    precision: PrecisionOpt = DEFAULT_PRECISION, as_json: JsonOpt = False,
) -> None:
    """Read a document once and save the memory state, to ask or summarize later."""
    from infinicli import snapshot
    from infinicli.ui import Output, human_bytes, input_name, reading_line

    _check_input(file, states=False, password=password)
    snapshot.check_save_path(save, force)
    out = Output(as_json)
    session = _session(out, model, method, segment, window, pool, block, rule, gate, params, precision=precision)
    with out.progress(f"reading {input_name(file)}", None) as view:
        result = session.read(file, save, password=password, force=force, on_segment=view)
    size = os.path.getsize(save)
    data = {"saved": save, "bytes": size, "reading": result.as_dict()}
    out.emit(data, lambda c: c.print(f"saved {save} ({human_bytes(size)}) · {reading_line(result)}"))


@app.command()
def summarize(
    file: FileArg,
    out_path: Annotated[Path | None, typer.Option("--out", help="Write the markdown here (atomically).")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
    length: LengthOpt = Length.medium,
    notes: Annotated[bool, typer.Option("--notes/--quotes-only", help="Have the model write a note per "
                                        "section, or show the quoted sentences alone.")] = True,
    strategy: Annotated[str, typer.Option(hidden=True, help="infini, or a baseline: first, last, mapreduce.")]
    = "infini",
    password: PasswordOpt = None, model: ModelOpt = "smollm2-135m-instruct", method: MethodOpt = None,
    segment: SegmentOpt = 512, window: WindowOpt = None, pool: PoolOpt = None, block: BlockOpt = None,
    rule: RuleOpt = Rule.delta, gate: GateOpt = None, params: ParamsOpt = None,
    precision: PrecisionOpt = DEFAULT_PRECISION,
    probe_heads: ProbeHeadsOpt = PROBE_HEADS,
    as_json: JsonOpt = False,
) -> None:
    """Summarize a long document as markdown: per section a short note and quoted sentences with their page.

    Example: infini summarize book.pdf --out summary.md
    """
    from infinicli.atomic import check_writable, write_text
    from infinicli.tasks import summarize as sm
    from infinicli.ui import Output, input_name, summary_view

    _check_input(file, password=password)
    sm.check_strategy(strategy)
    check_writable(out_path, force=force)
    out = Output(as_json)
    session = _session(out, model, method, segment, window, pool, block, rule, gate, params, probe_heads, precision)
    with out.progress(f"reading {input_name(file)}", None) as view:
        summary = session.summarize(file, password=password, length=value(length), notes=notes, strategy=strategy,
                                    on_segment=view, on_note=view.note)
    markdown = summary.markdown()
    if out_path is not None:
        write_text(out_path, markdown)
    data = summary.as_dict() | {"out": str(out_path) if out_path else None}
    out.emit(data, lambda c: summary_view(out, c, summary, markdown, out_path))


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
    window: WindowOpt = None, pool: PoolOpt = None, block: BlockOpt = None, rule: RuleOpt = Rule.delta,
    gate: GateOpt = None, params: ParamsOpt = None,
    precision: PrecisionOpt = DEFAULT_PRECISION, probe_heads: ProbeHeadsOpt = PROBE_HEADS, as_json: JsonOpt = False,
) -> None:
    """Read a whole repository file by file; give an overview, or answer --question."""

    from infinicli.tasks import ask as ask_task
    from infinicli.tasks import code as code_task
    from infinicli.ui import Output, code_view

    if question is not None:
        ask_task.check_question(question)
    scan = code_task.scan(directory, include or (), exclude or (), max_file_size)
    out = Output(as_json)
    session = _session(out, model, method, segment, window, pool, block, rule, gate, params, probe_heads, precision)
    with out.progress(f"reading {len(scan.files)} files", None) as view:
        result = code_task.run(session.engine, session.tok, scan, question, max_tokens=max_tokens,
                               on_segment=view, on_text=view.answer)
    out.emit(result.as_dict(), lambda c: code_view(out, c, result, str(directory)))


# --- batch -----------------------------------------------------------------------------------------

@app.command()
def batch(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, quoted globs ('docs/**/*.pdf') or @LIST, a "
                                                     "text file naming one a line.", show_default=False)],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for one result per document and the index, "
                                                        "results.jsonl (a second run skips what is done).")],
    task: Annotated[BatchTask, typer.Option(help="What to do with each document.")] = BatchTask.summarize,
    question: Annotated[str | None, typer.Option("--question", "-q", help="The question (ask, code).")] = None,
    workers: Annotated[int | None, typer.Option(help="Workers, each holding the model once. Default: one per "
                                                     "core here, as many as the free memory holds; with --ray, "
                                                     "the cluster's CPUs / --threads.")] = None,
    threads: Annotated[int | None, typer.Option(help="Threads per worker. Default: the cores / --workers.")]
    = None,
    ray: Annotated[str | None, typer.Option("--ray", help="Run on Ray: auto (the cluster this machine is in), "
                                                          "HOST:PORT, or local (a Ray instance on this machine).")]
    = None,
    retry_failed: Annotated[bool, typer.Option(help="Run again the documents that failed for bad input.")] = False,
    max_tokens: Annotated[int | None, typer.Option(help="Longest answer, in tokens (ask 64, code 96).")] = None,
    length: LengthOpt = Length.medium,
    notes: Annotated[bool, typer.Option("--notes/--quotes-only", help="summarize: a note per section, or the "
                                        "quotes alone.")] = True,
    model: ModelOpt = "smollm2-135m-instruct", method: MethodOpt = None,
    segment: SegmentOpt = 512, window: WindowOpt = None, pool: PoolOpt = None, block: BlockOpt = None,
    rule: RuleOpt = Rule.delta, gate: GateOpt = None, params: ParamsOpt = None,
    precision: PrecisionOpt = DEFAULT_PRECISION,
    probe_heads: ProbeHeadsOpt = PROBE_HEADS, as_json: JsonOpt = False,
) -> None:
    """Run one task over many documents, on this machine or a Ray cluster; resumable.

    Example: infini batch 'papers/**/*.pdf' --task ask -q "What dataset is used?" --out answers/
    """
    from infinicli import batch as batch_run
    from infinicli.ui import Output, batch_line, batch_view

    engine = {"model": model, "method": value(method), "segment": segment, "window": window, "pool": pool,
              "block": block, "rule": value(rule), "gate": gate, "params": params, "probe_heads": probe_heads,
              "precision": value(precision)}
    settings = batch_run.settings_for(value(task), question, engine, max_tokens, value(length), notes)
    out = Output(as_json)
    the_plan, worker_pool, where = batch_run.prepare(inputs, out_dir, settings, ray, workers, threads, retry_failed,
                                                     out.say)
    with out.steps("documents", len(the_plan.jobs) + len(the_plan.failed)) as update:
        data = batch_run.run(the_plan, worker_pool, where,
                             lambda record, totals: update(totals["documents"], batch_line(record, totals)))
    out.emit(data, lambda c: batch_view(out, c, data))


app.add_typer(models_app, name="models")
app.add_typer(bench_app, name="bench")
app.command()(train)
