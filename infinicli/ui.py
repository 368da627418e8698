"""Everything the user sees: progress, tables, messages, JSON. The only module that knows rich."""

from __future__ import annotations

import contextlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from infinicli.atomic import atomic_path

if TYPE_CHECKING:  # config imports torch: a usage error or --help need not wait for it
    from infinicli.config import SegmentStats

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Text from an input made harmless for a terminal: control characters (ESC and the rest, except
    tab and newline) become U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


ZWSP = "\u200b"  # zero-width space: keeps an input's backslash from touching a bracket after it


def safe(text: str) -> str:
    """Text from an input, cleaned and with rich markup escaped, for a line printed with markup.

    Rich drops a backslash before "[" (its escape) or, before a tag, halves a run of them, so
    rich.markup.escape loses the backslash of "C:\\[x" and lets three at the end escape the line's own
    closing tag. Here every "[" is escaped, and a zero-width space separates it (and the end of the
    text) from any backslash before it, so what is shown is the input, character for character."""
    out = clean(text).replace("\\[", "\\" + ZWSP + "[").replace("[", "\\[")
    return out + ZWSP if out.endswith("\\") else out


def input_name(path: str) -> str:
    """How a progress line names an input: its file name, or stdin."""
    return "stdin" if path == "-" else path.replace("\\", "/").rsplit("/", 1)[-1]


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def cache_use(s: SegmentStats) -> str:
    """window / pool / memory, as the progress bar and tables show it."""
    win = f"{s.window_tokens}" if s.window_capacity is None else f"{s.window_tokens}/{s.window_capacity}"
    return f"win {win} · pool {s.pool_tokens}/{s.pool_capacity} · mem {human_bytes(s.memory_bytes)}"


QUIET, NORMAL, VERBOSE = -1, 0, 1
verbosity = NORMAL  # set once per run by the CLI's --quiet / --verbose


class Output:
    """One output object for every command: human text on stdout, or one JSON document with --json.

    Progress, notes and warnings go to stderr, so stdout stays clean for scripts. With --quiet only
    warnings and errors reach stderr; with --verbose progress is a plain line per segment.
    """

    def __init__(self, as_json: bool = False) -> None:
        self.as_json = as_json
        self.out = Console(highlight=False)
        self.err = Console(stderr=True, highlight=False)

    def say(self, msg: str) -> None:
        """A note on stderr (loading, calibrating), never read as markup: it may name an input."""
        if verbosity > QUIET:
            self.err.print(clean(msg), style="dim", markup=False)

    def emit(self, data: Any, render: Callable[[Console], None]) -> None:
        if self.as_json:
            sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
            sys.stdout.flush()
        else:
            render(self.out)

    @contextlib.contextmanager
    def steps(self, description: str, total: int) -> Iterator[Callable[[int, str], None]]:
        """A bar for numbered steps (training): yields update(done, info); a line per step as a log."""
        if verbosity == QUIET:
            yield lambda done, info: None
            return
        if verbosity == VERBOSE or not self.err.is_terminal:
            yield lambda done, info: self.err.print(f"{description}: {done}/{total} · {info}", markup=False,
                                                    highlight=False)
            return
        columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[info]}", markup=False), TimeRemainingColumn()]
        with Progress(*columns, console=self.err) as bar:
            task = bar.add_task(description, total=total, info="")
            yield lambda done, info: bar.update(task, completed=done, info=info)

    @contextlib.contextmanager
    def progress(self, description: str, total: int | None) -> Iterator[ProgressView]:
        """One progress display for a command: reading (segments, tok/s, cache, peak RSS, ETA), then,
        for commands that write, a second line for writing (notes i of n, tokens written, tok/s)."""
        if verbosity == QUIET:
            yield SilentProgress()
            return
        if verbosity == VERBOSE or not self.err.is_terminal:  # a log, not a redrawn bar
            yield LogProgress(self, description, every=1 if verbosity == VERBOSE else 10)
            return
        columns = [
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[info]}"), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
        ]
        bar = _Bars(*columns, console=self.err, transient=False)
        with bar:
            try:
                yield ProgressView(bar, description, total, answers=not self.as_json)
            finally:
                bar.below = None  # an answer being written is not left on the screen: the checked one follows


class _Bars(Progress):
    """rich's Progress with room below its bars for the text being written (`below`)."""

    below: Text | None = None

    def get_renderables(self):
        yield from super().get_renderables()
        if self.below is not None:
            yield self.below


class ProgressView:
    """Called with each segment's stats while reading; .note(i, n, written) while writing notes;
    .answer(piece) with an answer's text as it is written."""

    def __init__(self, bar: _Bars, description: str, total: int | None, answers: bool = True) -> None:
        self.bar = bar
        self.answers = answers  # with --json nothing but the document goes out: no answer on the screen either
        self.reading = bar.add_task(description, total=total, info="seg")
        self.writing = None
        self.t0 = 0.0

    def __call__(self, s: SegmentStats) -> None:
        self.bar.update(self.reading, completed=s.index, total=s.total or None, info=segment_line(s))

    def answer(self, piece: str) -> None:
        """Show an answer as it is written, below the bars. It is shown on the screen only, not on
        stdout: it has not been checked against the document yet, and what stdout gets (ask's
        answer_view) is the checked answer. It goes when the display closes."""
        if not self.answers:
            return
        if self.bar.below is None:
            self.bar.below = Text("writing the answer: ", style="dim")
        self.bar.below.append(clean(piece), style="italic")
        self.bar.refresh()

    def note(self, i: int, n: int, written: int) -> None:
        if self.writing is None:
            self.writing = self.bar.add_task("writing notes", total=n, info="")
            self.t0 = time.perf_counter()
        dt = time.perf_counter() - self.t0
        speed = f" · {written / dt:,.1f} tok/s" if dt > 0 and written else ""
        self.bar.update(self.writing, completed=i, total=n, info=f"notes · {written:,} tokens written{speed}")


class SilentProgress:
    """--quiet: the progress events, heard and not shown."""

    def __call__(self, s: SegmentStats) -> None:
        pass

    def answer(self, piece: str) -> None:
        pass

    def note(self, i: int, n: int, written: int) -> None:
        pass


class LogProgress:
    """The same events as plain lines on stderr, every `every`th segment and every note, when stderr is
    a log (or with --verbose)."""

    def __init__(self, out: Output, description: str, every: int = 10) -> None:
        self.out, self.description, self.every = out, description, every

    def __call__(self, s: SegmentStats) -> None:
        if s.index % self.every == 0 or (s.total and s.index == s.total):
            total = f"/{s.total}" if s.total else ""
            self.out.err.print(f"{self.description}: segment {s.index}{total} · {segment_line(s)}",
                               markup=False, highlight=False)

    def answer(self, piece: str) -> None:
        """A log does not take an answer piece by piece: the checked answer follows on stdout."""

    def note(self, i: int, n: int, written: int) -> None:
        self.out.err.print(f"writing: note {i}/{n} · {written:,} tokens written", markup=False, highlight=False)


def segment_line(s: SegmentStats) -> str:
    return f"seg · {s.tokens_per_s:,.0f} tok/s · {cache_use(s)} · peak {s.peak_rss_mb:,.0f} MB"


TEXT_COLUMNS = {"", "name", "file", "key", "answer", "mode", "language", "reason", "examples", "method",
                "depth"}


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> Table:
    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, justify="left" if c in TEXT_COLUMNS else "right")
    for r in rows:
        t.add_row(*[str(x) for x in r])
    return t


def markdown_table(columns: list[str], rows: list[list[Any]]) -> str:
    """A llama-bench style markdown table: what a person reads, pasteable into notes."""
    cells = [[str(x) for x in r] for r in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) if cells else len(c) for i, c in enumerate(columns)]
    def line(xs: list[str]) -> str:
        return "| " + " | ".join(x.rjust(w) if i else x.ljust(w) for i, (x, w) in enumerate(zip(xs, widths))) + " |"

    sep = "| " + " | ".join(("-" * w if i == 0 else "-" * (w - 1) + ":") for i, w in enumerate(widths)) + " |"
    return "\n".join([line(columns), sep, *(line(r) for r in cells)])


def csv_text(rows: list[dict]) -> str:
    import csv
    import io

    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buf.getvalue()


def heat_cell(acc: float) -> str:
    """A coloured terminal cell for an accuracy."""
    colour = "green" if acc >= 0.9 else "yellow" if acc >= 0.5 else "red"
    return f"[bold white on {colour}] {acc:>4.0%} [/]"


# --- what each command shows ---------------------------------------------------------------------------

def reading_line(r) -> str:
    """One line on what a reading cost (a reading.Reading)."""
    if r.from_snapshot:
        return f"from saved state · {r.tokens:,} tokens · {r.mode}"
    return (f"{r.tokens:,} tokens · {r.segments} segments · {r.seconds:,.1f} s · {r.tokens_per_s:,.0f} tok/s · "
            f"peak RSS {r.peak_rss_mb:,.0f} MB · state {human_bytes(r.state_bytes)} · {r.mode}")


def trial_line(i: int, trial) -> str:
    """One pass-key trial as `infini passkey` prints it on stderr once done: the key, the answer, found
    or missed, and where the needle's tokens were held exactly."""
    mark = "[green]found[/green]" if trial.correct else "[red]missed[/red]"
    kept = trial.needle_kept or {}
    held = [f"{part} {kept[part]}/{kept['tokens']}" for part in ("window", "sink", "pool") if kept.get(part)]
    return (f"trial {i}: key {trial.key}, answer {safe(repr(trial.answer))}: {mark} "
            f"[dim](needle tokens held exactly: {', '.join(held) or 'none, memory only'})[/dim]")


def passkey_view(c: Console, result) -> None:
    """A tasks.passkey.PasskeyResult: one row per trial, then the accuracy."""
    trials, summary = result.trials, result.as_dict()
    c.print(table(f"passkey · {summary['method']} · {result.length:,} tokens · depth {result.depth}",
                  ["#", "key", "answer", "correct", "tokens", "segments", "seconds", "tok/s", "peak RSS"],
                  [[i, t.key, safe(t.answer), "yes" if t.correct else "no", f"{t.tokens:,}", t.segments,
                    t.seconds, f"{t.tokens_per_s:,.0f}", f"{t.peak_rss_mb:,.0f} MB"]
                   for i, t in enumerate(trials, 1)]))
    c.print(f"accuracy {summary['accuracy']:.0%} ({sum(t.correct for t in trials)}/{len(trials)}) · "
            f"{summary['tokens_per_s']:,.0f} tok/s · peak RSS {summary['peak_rss_mb']:,.0f} MB · "
            f"state {human_bytes(summary['state_bytes'])}")


def _where(e: dict) -> str:
    if "page" in e:
        return f"p. {e['page']}" + (f", line {e['line']}" if e.get("line") else "")
    return f"{e['path']}:{e['line']}" if "path" in e else f"token {e.get('position', 0):,}"


def _in_document_order(evidence: list[dict]) -> list[dict]:
    """Cited passages or lines as the document has them (file, page, line), as the task's answer from
    quote joins them (evidence.document_order)."""
    return sorted(evidence, key=lambda e: (e.get("path", ""), e.get("page") or 0, e.get("line") or 0))


def answer_view(out: Output, c: Console, result) -> None:
    """A tasks.ask.AskResult: the answer as it stands after the check against the document (what the check
    dropped or respelt said on stderr: the screen showed it being written), then the passages it rests
    on with their pages. When nothing the model wrote held up, the passages are the answer: shown
    whole, in the document's order, once."""
    none = "(no answer the document supports)"
    quoted = result.answered_from == "quote"
    if result.dropped or result.rewritten:
        out.err.print("[yellow]checked against the document:[/yellow] "
                      + "; ".join([f"dropped {safe(d['sentence'])!r}" for d in result.dropped]
                                  + [f"respelt as {safe(r['as'])!r}" for r in result.rewritten]))
    if quoted:
        out.err.print("[yellow]nothing the model wrote held up against the document; the passages the "
                      "question found answer it, in the document's order:[/yellow]")
    else:
        c.print(clean(result.answer or none), markup=False)
    for e in _in_document_order(result.evidence) if quoted else result.evidence:
        first = f"[bold]{safe(e['name'])}[/bold], first named " if "name" in e else ""
        c.print(f"  {first}[cyan]{safe(_where(e))}[/cyan]  {safe(e['text'] if quoted else e['text'][:240])}",
                markup=True)
    out.err.print(f"[dim]{safe(reading_line(result.reading))} · answered from {result.answered_from}[/dim]")


def summary_view(out: Output, c: Console, summary, markdown: str, out_path) -> None:
    """A tasks.summarize.Summary: the markdown (unless written to `out_path`), then one line of figures; a
    baseline's SummaryResult (the bench's) has no figures to show."""
    if out_path is None:
        c.print(clean(markdown), markup=False, soft_wrap=True)
    if not hasattr(summary, "sections"):
        return
    out.err.print(f"[dim]{safe(reading_line(summary.reading))} · {len(summary.sections)} sections "
                  f"({summary.structure}) · {summary.tokens_written} tokens written · "
                  f"{summary.dropped_total} generated sentences dropped as unsupported · "
                  f"{summary.seconds:,.0f} s{' · wrote ' + safe(str(out_path)) if out_path else ''}[/dim]")


def code_view(out: Output, c: Console, result, directory: str) -> None:
    """A tasks.code.CodeResult with the scan's facts: what was read, then the answer and its lines."""
    facts = result.scan
    totals = facts["totals"]
    c.print(table(f"{safe(directory)} · {totals['files']} files · {totals['tokens']:,} tokens",
                  ["language", "files", "lines", "tokens"],
                  [[r["language"], r["files"], f"{r['lines']:,}", f"{r['tokens']:,}"] for r in facts["languages"]]))
    c.print(table("largest files", ["file", "lines", "tokens"],
                  [[safe(r["path"]), f"{r['lines']:,}", f"{r['tokens']:,}"] for r in facts["largest"]]))
    if facts["skipped"]:
        c.print(table("skipped", ["reason", "files", "examples"],
                      [[reason, len(paths), safe(", ".join(paths[:3])) + (" ..." if len(paths) > 3 else "")]
                       for reason, paths in facts["skipped"].items()]))
    answer = result.answer or ("(no answer the code supports)" if result.question
                               else "(nothing the model wrote of it holds up against the files; see the tables)")
    if result.answered_from == "quote":  # the cited lines below are the answer
        answer = "(nothing the model wrote held up against the files; the lines below answer it)"
    c.print(f"\n[bold]{'Answer' if result.question else 'Overview'}[/bold]\n{safe(answer)}", markup=True)
    if result.dropped:
        out.err.print(f"[yellow]dropped from the {'answer' if result.question else 'overview'}, not supported "
                      f"by {'the quoted lines' if result.question else 'the files'}:[/yellow] "
                      + "; ".join(safe(d["sentence"]) for d in result.dropped))
    if result.evidence:
        c.print("[bold]From the code[/bold] (the lines the question attended to most)", markup=True)
        quoted = result.answered_from == "quote"  # the lines are the answer: in file order, as --json's
        for q in _in_document_order(result.evidence) if quoted else result.evidence:
            span = f"{q['line']}-{q['end_line']}" if "end_line" in q else str(q["line"])
            first, *more = q["text"].split("\n")
            c.print(f"  [cyan]{safe(q['path'])}:{span}[/cyan]  {safe(first)}", markup=True)
            for text in more:
                c.print(f"  {' ' * len(safe(q['path']) + ':' + span)}  {safe(text)}", markup=True)
    elif result.files:
        c.print(f"[bold]Files recalled for it[/bold]: {safe(', '.join(result.files))}", markup=True)
    out.err.print(f"[dim]{reading_line(result.reading)}[/dim]")


# --- plots (bench) ---------------------------------------------------------------------------------

# cells named before the retrieval heads existed were scored by every head (bench passkey --probe-heads 0)
PANEL_TITLES = {"infini+recall": "infini+recall\n(every head scores the pool)",
                "infini+recall+heads8": "infini+recall+heads8\n(default)"}


def batch_line(record: dict, totals: dict) -> str:
    """A batch's progress after one document (plain text: no markup, cleaned): failures and tokens/s so
    far, then that document."""
    name = clean(input_name(record["input"]))
    rate = totals["tokens"] / max(totals["seconds"], 1e-9)
    if record["status"] == "done":
        what = f"{name}: done, {record['tokens'] or 0:,} tokens in {record['seconds'] or 0:,.0f} s"
    else:
        what = f"{name}: {record['status']}: {clean(record['error'] or '')}"
    return f"{totals['failed']} failed · {rate:,.0f} tok/s · {what}"


def batch_view(out: Output, c: Console, report: dict) -> None:
    """What `infini batch` did: a line of counts and rates, then each document that failed."""
    c.print(f"{report['done']} done · {report['failed']} failed · {report['errors']} errors · "
            f"{report['skipped']} skipped (finished before) · {report['seconds']:,.0f} s · "
            f"{report['documents_per_hour']:,.0f} documents/hour · {report['tokens_per_s']:,.0f} tokens/s · "
            f"{clean(report['pool'])}", markup=False, soft_wrap=True)
    for r in report["records"]:
        if r["status"] != "done":
            c.print(f"[red]{r['status']}[/red] {safe(r['input'])}: {safe(r['error'] or '')}", soft_wrap=True)
    c.print(f"index: {safe(report['index'])}")


def heatmap_png(cells: list[dict], path: Path) -> None:
    """One panel per method: depth (rows) x length (columns), accuracy as colour and number."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from infinicli import bench

    methods = list(dict.fromkeys(c["method"] for c in cells))
    lengths = sorted({c["length"] for c in cells})
    depths = sorted({c["depth"] for c in cells})
    fig, axes = plt.subplots(1, len(methods), figsize=(2.2 + 1.3 * len(lengths) * len(methods), 3.2),
                             squeeze=False)
    for ax, method in zip(axes[0], methods):
        grid = [[float("nan")] * len(lengths) for _ in depths]
        trials = [[0] * len(lengths) for _ in depths]
        for c in cells:
            if c["method"] == method:
                grid[depths.index(c["depth"])][lengths.index(c["length"])] = c["accuracy"]
                trials[depths.index(c["depth"])][lengths.index(c["length"])] = c["trials"]
        ax.imshow(grid, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
        for i, row in enumerate(grid):
            for j, acc in enumerate(row):
                if acc == acc:
                    ax.text(j, i, f"{acc:.0%}\nn={trials[i][j]}", ha="center", va="center", fontsize=9)
        ax.set_xticks(range(len(lengths)), [bench.short_length(n) for n in lengths])
        ax.set_yticks(range(len(depths)), [f"{d:g}" for d in depths])
        ax.set_xlabel("tokens")
        ax.set_title(PANEL_TITLES.get(method, method), fontsize=10)
    axes[0][0].set_ylabel("needle depth")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)


def memory_plot(rows: list, path: Path) -> None:
    """Peak RSS against input length per method (bench memory's MemoryRow list)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4))
    for method in dict.fromkeys(r.method for r in rows):
        pts = [(r.length, r.peak_rss_mb) for r in rows if r.method == method and r.peak_rss_mb]
        if pts:
            ax.plot(*zip(*pts), marker="o", label=method)
    ax.set_xscale("log")
    ax.set_xlabel("input length (tokens)")
    ax.set_ylabel("peak RSS (MB)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)


def speed_plot(rows: list[dict], path: Path) -> None:
    """Prefill and decode tokens/s, mean ± sd, one bar per row (bench speed's rows), side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [" ".join(str(r[k]) for k in ("method", "precision", "segment") if r.get(k) is not None)
              for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.45 * len(rows) + 1.2), sharey=True)
    for ax, key, title in ((axes[0], "prefill", "prefill tok/s"), (axes[1], "decode", "decode tok/s")):
        values = [r[f"{key}_tokens_per_s"] or 0 for r in rows]
        errors = [r[f"{key}_sd"] or 0 for r in rows]
        ax.barh(range(len(rows)), values, xerr=errors, color="tab:blue", alpha=0.8)
        ax.set_title(title)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].set_yticks(range(len(rows)), labels)
    axes[0].invert_yaxis()
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)
