"""Benchmarks: every method side by side on the same input, each configuration in a fresh process.

`passkey`: a depth x length grid; each cell is one passkey run in a fresh process (bench/cell.py:
the task through the Python API, its result's as_dict() as JSON) kept as a file, so an interrupted
grid resumes where it stopped. Cells may run a few at a time, the cores shared among them.
`memory`: peak RSS (ru_maxrss of a fresh process), state bytes and wall time per method and length,
each measured on one passkey trial (reading the haystack and answering), so the memory numbers come
with a check that the method still recalled what it read.
`speed`: prefill and decode tokens/s per method and segment length, mean ± sd over repeats, with the
plain model's chunked prefill (its own KV cache) as the reference row.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from infinicli import resources
from infinicli.atomic import write_text
from infinicli.errors import InfiniError


def parse_length(text: str) -> int:
    """'4k' -> 4000, '1m' -> 1000000, '4096' -> 4096 (tokens; k and m are powers of 1000)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise InfiniError(f"cannot read {text!r} as a length; use e.g. 4096, 32k or 1m")
    return int(float(m.group(1)) * {"": 1, "k": 1000, "m": 1_000_000}[m.group(2).lower()])


def parse_list(text: str, item: Callable[[str], object]) -> list:
    """A comma-separated option: each part converted by `item`; a bad part is a usage error."""
    try:
        return [item(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InfiniError(f"cannot read {text!r} as a comma-separated list") from None


def short_length(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _run_cell(task: str, options: dict, env: dict[str, str] | None = None, quiet: bool = False) -> dict:
    """Run one cell (bench/cell.py: `task` through the Python API) in a fresh process; its result as a
    dict, with the command that made it. Its stderr (progress) passes through, or with `quiet` is kept
    back and only its last line shown if the run fails."""
    from infinicli.bench import cell

    cmd = [sys.executable, "-m", "infinicli.bench.cell", task, json.dumps(options)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE if quiet else None, text=True,
                          env=env)
    if proc.returncode != 0:
        said = (proc.stderr or "").strip().splitlines()[-1:] if quiet else []
        raise InfiniError(f"the bench cell `{task}` failed with exit code {proc.returncode}"
                          + (f": {said[0]}" if said else ""))
    return json.loads(proc.stdout) | {"command": cell.command(task, options)}


def write_json(path: Path, data: object) -> None:
    write_text(path, json.dumps(data, indent=2) + "\n")


# --- passkey grid -----------------------------------------------------------------------------------

def cell_path(out_dir: Path, method: str, length: int, depth: float) -> Path:
    return out_dir / f"{method}-{short_length(length)}-d{depth:g}.json"


def cell_threads(jobs: int) -> int | None:
    """Torch threads for each of `jobs` cells run at once: the cores shared out among them. None (torch's
    own default) for one cell at a time, or when OMP_NUM_THREADS is already set."""
    if jobs <= 1 or "OMP_NUM_THREADS" in os.environ:
        return None
    return max(1, (os.cpu_count() or 1) // jobs)


def run_cell(out_dir: Path, method: str, length: int, depth: float, trials: int, seed: int,
             extra: dict, label: str = "", threads: int | None = None,
             quiet: bool = False) -> tuple[Path, dict, bool]:
    """One passkey cell in a fresh process, kept as a file; a file already there is read
    back instead (so an interrupted grid resumes, and `bench memory` and `bench passkey` share cells).
    `label` is appended to the method in the file name (e.g. "+trained"). With `threads` the process
    runs with OMP_NUM_THREADS set to it; `quiet` keeps its progress off the terminal (for cells that
    run side by side). Returns (path, data, resumed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = cell_path(out_dir, method + label, length, depth)
    if path.exists():
        return path, json.loads(path.read_text()), True
    options = {"length": length, "depth": depth, "trials": trials, "seed": seed, "method": method, **extra}
    env = None if threads is None else {**os.environ, "OMP_NUM_THREADS": str(threads)}
    data = _run_cell("passkey", options, env=env, quiet=quiet)
    if threads is not None:
        data["command"] = f"OMP_NUM_THREADS={threads} {data['command']}"
    write_json(path, data)
    return path, data, False


def passkey_grid(out_dir: Path, methods: list[str], lengths: list[int], depths: list[float],
                 trials: int, seed: int, extra: dict,
                 on_cell: Callable[[str, dict, bool], None], label: str = "", jobs: int = 1) -> list[dict]:
    """Run every (method, length, depth) cell not already on disk, `jobs` of them at a time (each in its
    own process, see cell_threads); return all cells' summaries in grid order. `on_cell` hears of each
    cell as it ends."""
    keys = [(method, length, depth) for method in methods for length in lengths for depth in depths]
    to_run = sum(not cell_path(out_dir, m + label, n, d).exists() for m, n, d in keys)
    jobs = max(1, min(jobs, to_run))  # cells on disk are only read back: they need no share of the cores
    threads = cell_threads(jobs)
    done: dict[tuple, dict] = {}

    def finish(key: tuple, result: tuple[Path, dict, bool]) -> None:
        path, data, resumed = result
        done[key] = _cell(key[0] + label, key[1], key[2], data)
        on_cell(path.name, done[key], resumed)

    pool = ThreadPoolExecutor(jobs)  # one worker: the cells in grid order, each's progress on the terminal
    try:
        running = {pool.submit(run_cell, out_dir, *key, trials, seed, extra, label, threads, jobs > 1): key
                   for key in keys}
        for future in as_completed(running):
            finish(running[future], future.result())
    finally:  # on Ctrl-C or a failed cell, start no more cells (the running ones end with theirs)
        pool.shutdown(wait=True, cancel_futures=True)
    return [done[key] for key in keys]


def _cell(method: str, length: int, depth: float, data: dict) -> dict:
    return {"method": method, "length": length, "depth": depth, "accuracy": data["accuracy"],
            "trials": len(data["trials"]), "seconds": round(sum(t["seconds"] for t in data["trials"]), 1),
            "tokens_per_s": data["tokens_per_s"], "peak_rss_mb": data["peak_rss_mb"], "mode": data["method"]}


def load_cells(out_dir: Path) -> list[dict]:
    """Every cell already in a grid folder, from earlier runs too (for the heatmap)."""
    cells = []
    for path in sorted(out_dir.glob("*.json")):
        m = re.fullmatch(r"(.+)-(\d+[km]?)-d([0-9.]+)\.json", path.name)
        if m:
            data = json.loads(path.read_text())
            cells.append(_cell(m.group(1), parse_length(m.group(2)), float(m.group(3)), data))
    order = {"full": 0, "window": 1, "infini": 2, "infini+trained": 3, "infini+recall": 4, "infini+recall+heads8": 5}
    return sorted(cells, key=lambda c: (order.get(c["method"], 9), c["length"], c["depth"]))


# --- memory -----------------------------------------------------------------------------------------

@dataclass(slots=True)
class MemoryRow:
    method: str
    length: int  # tokens read, question included
    peak_rss_mb: float | None
    state_bytes: int | None  # what the engine carries: memory, window, sink, pool (or the whole KV cache)
    seconds: float | None  # reading and answering
    tokens_per_s: float | None
    found: bool | None = None  # whether the pass key came back
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def full_kv_bytes(length: int, shape: tuple[int, int, int]) -> int:
    """What an ordinary float32 KV cache holds after `length` tokens, for a model of `shape`
    (layers, KV heads, head dim: model_store.kv_shape)."""
    layers, kv_heads, head_dim = shape
    return length * layers * kv_heads * head_dim * 2 * 4


def bench_memory(methods: list[str], lengths: list[int], out_dir: Path, extra: dict, full_max: int,
                 on_row: Callable[[MemoryRow], None], shape: tuple[int, int, int], depth: float = 0.5,
                 seed: int = 0, available: int | None = None, run: bool = True) -> list[MemoryRow]:
    """Each (method, length) is one passkey trial in a fresh process (a cell shared with `bench passkey`).

    Shorter lengths run first, every method at each. `full` is not run where its KV cache would not fit
    in the available RAM ("needs X GB"), nor above `full_max` tokens, where its time, which grows with
    the square of the length, would dwarf the rest of the run. With run=False only runs already in
    `out_dir` are reported (to redraw the table and plot); the others say "not run yet".
    """
    if available is None:
        available = resources.free_bytes()
    rows = []
    for length in lengths:
        for method in methods:
            row = None
            if method == "full":
                need = full_kv_bytes(length, shape) + 1.5e9  # the cache plus the process itself
                if not resources.fits(need, available):
                    row = MemoryRow(method, length, None, None, None, None, None,
                                    f"needs {need / 1e9:.1f} GB (available {available / 1e9:.1f} GB)")
                elif length > full_max:
                    row = MemoryRow(method, length, None, None, None, None, None,
                                    f"not run: above --full-max {short_length(full_max)} (time grows "
                                    "with the square of the length)")
            if row is None and not run and not cell_path(out_dir, method, length, depth).exists():
                row = MemoryRow(method, length, None, None, None, None, None, "not run yet")
            if row is None:
                _, data, _ = run_cell(out_dir, method, length, depth, 1, seed, extra)
                trial = data["trials"][0]
                final = trial.get("final_segment") or {}
                row = MemoryRow(method, trial["tokens"], trial["peak_rss_mb"], final.get("state_bytes"),
                                trial["seconds"], trial["tokens_per_s"], trial["correct"])
            rows.append(row)
            on_row(row)
    order = {m: i for i, m in enumerate(methods)}
    return sorted(rows, key=lambda r: (order[r.method], r.length))


# --- speed ------------------------------------------------------------------------------------------

def mean_sd(xs: list[float]) -> tuple[float, float]:
    return statistics.fmean(xs), statistics.stdev(xs) if len(xs) > 1 else 0.0


def memory_bandwidth(mb: int = 512, repeats: int = 5) -> float:
    """This machine's read bandwidth, GB/s: the best of `repeats` sums over a buffer far larger than
    the caches, its pages touched first (an untouched buffer reads one zero page, far too fast)."""
    import torch

    buffer = torch.ones(mb * 2**20 // 4)
    seconds = []
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        buffer.sum()
        seconds.append(time.perf_counter() - t0)
    return buffer.numel() * 4 / min(seconds[1:]) / 1e9


def weight_bytes(model) -> int:
    """Bytes of the linear layers' weights, each read once for every token decoded."""
    import torch

    from infinicli.precision import HalfLinear, Int4Linear

    total = 0
    for m in model.modules():
        if isinstance(m, HalfLinear):
            total += 2 * m.in_features * m.out_features
        elif isinstance(m, Int4Linear) and not m.view:  # what a decoded token reads: codes, scales, minimums
            total += m.decode_bytes()
        elif isinstance(m, torch.nn.Linear):
            total += m.weight.numel() * m.weight.element_size()
    return total


PAUSE = 0.5  # seconds of rest before each timed arm: a thread pool (torch's OpenMP, ggml's) may spin a
# while after its work and take the cores from the next arm (samples/speed/against_llama.py)


def after_first(stamps: list[float]) -> float:
    """Decode tokens/s after the first token, from the times each token came out: the first one's wait is
    the prompt's pass (for the engine, 8 tokens and the open span's building; for llama.cpp, one token), so
    it is reported apart, as first_token_ms, and llama-bench's tg likewise times generation alone."""
    if len(stamps) < 2:
        raise ValueError("decode rates need --decode 2 or more")
    return (len(stamps) - 1) / (stamps[-1] - stamps[0])


def bench_speed(engine_for: Callable[[str, int], object], plain_model, tokens: list[int],
                methods: list[str], segments: list[int], repeats: int, decode_tokens: int,
                on_row: Callable[[dict], None], reference: Callable[[int], LlamaCpp | None] | None = None
                ) -> list[dict]:
    """Prefill and decode tokens/s; the first row is the plain model's chunked prefill, and each method's
    prefill_ratio is its prefill speed over that row's. With a `reference` (segment -> LlamaCpp, which has
    read `tokens`), llama.cpp decodes right after each decode of a method, and the method's row gets
    decode_vs_llama_cpp: the median of those pairs' ratios (on a machine whose speed moves from one
    minute to the next, rows timed minutes apart compare the minutes). Decode is timed after the first
    token (after_first); first_token_ms is the median wait for that one."""
    import torch
    from transformers import DynamicCache

    rows = []
    n = len(tokens)
    ids = torch.tensor(tokens)
    # transformers 5 names the cache argument `cache` (`past_key_values`, deprecated, goes in 5.40)
    cache_arg = "cache" if "cache" in inspect.signature(plain_model.model.forward).parameters else "past_key_values"
    for segment in segments:
        prefill = []
        for _ in range(repeats):
            cache = DynamicCache(config=plain_model.config)
            t0 = time.perf_counter()
            with torch.inference_mode():
                for start in range(0, n, segment):
                    plain_model.model(input_ids=ids[None, start:start + segment], use_cache=True,
                                      **{cache_arg: cache})
            prefill.append(n / (time.perf_counter() - t0))
        m, sd = mean_sd(prefill)
        plain = m
        row = {"method": "plain chunked prefill", "segment": segment, "length": n,
               "prefill_tokens_per_s": round(m, 1), "prefill_sd": round(sd, 1), "prefill_ratio": 1.0,
               "decode_tokens_per_s": None, "decode_sd": None}
        rows.append(row)
        on_row(row)
        llama = reference(segment) if reference is not None else None
        for method in methods:
            engine = engine_for(method, segment)
            prefill, decode, first, ratios = [], [], [], []
            for _ in range(repeats):
                engine.reset()
                t0 = time.perf_counter()
                engine.read(tokens)
                prefill.append(n / (time.perf_counter() - t0))
                time.sleep(PAUSE)
                stamps: list[float] = []
                t0 = time.perf_counter()
                engine.generate(tokens[-8:], decode_tokens,
                                on_token=lambda _, stamps=stamps: stamps.append(time.perf_counter()))
                first.append(1000 * (stamps[0] - t0))
                decode.append(after_first(stamps))
                if llama is not None:
                    time.sleep(PAUSE)
                    ratios.append(decode[-1] / llama.decode(decode_tokens))
            pm, psd = mean_sd(prefill)
            dm, dsd = mean_sd(decode)
            row = {"method": method, "segment": segment, "length": n,
                   "prefill_tokens_per_s": round(pm, 1), "prefill_sd": round(psd, 1),
                   "prefill_ratio": round(pm / plain, 3),
                   "decode_tokens_per_s": round(dm, 1), "decode_sd": round(dsd, 1),
                   "first_token_ms": round(statistics.median(first), 1)}
            if ratios:
                row |= {"decode_vs_llama_cpp": round(statistics.median(ratios), 3),
                        "decode_vs_llama_cpp_range": [round(min(ratios), 3), round(max(ratios), 3)]}
            rows.append(row)
            on_row(row)
    return rows


def speed_cells(rows: list[dict], bandwidth: float) -> None:
    """bench_speed's rows given, in place, the text of their table's cells (prefill, ratio, first, decode,
    vs_llama, share) and the share of the memory's read bandwidth (GB/s) their decode takes."""
    for r in rows:
        r["prefill"] = f"{r['prefill_tokens_per_s']:.1f} ± {r['prefill_sd']:.1f}"
        r["decode"] = (f"{r['decode_tokens_per_s']:.1f} ± {r['decode_sd']:.1f}"
                       if r["decode_tokens_per_s"] is not None else "-")
        r["ratio"] = "-" if r["prefill_ratio"] is None else f"{r['prefill_ratio']:.2f}"
        # a decoded token reads every weight once: the share of the bandwidth that takes (KV reads aside)
        r["decode_bandwidth_share"] = (round(r["weight_mb"] * 2**20 * r["decode_tokens_per_s"] / 1e9 / bandwidth, 3)
                                       if r["decode_tokens_per_s"] else None)
        r["share"] = "-" if r["decode_bandwidth_share"] is None else f"{r['decode_bandwidth_share']:.0%}"
        r["vs_llama"] = f"{r['decode_vs_llama_cpp']:.2f}" if "decode_vs_llama_cpp" in r else "-"
        r["first"] = "-" if r.get("first_token_ms") is None else f"{r['first_token_ms']:.0f}"
        r["memory_bandwidth_gb_s"] = round(bandwidth, 1)


class LlamaCpp:
    """llama.cpp on the same GGUF and input, as a reference beside bench_speed's rows: it reads the
    tokens (`prefill` times that, in `segment`-token batches), then each `decode` greedily decodes after
    them (the tokens stay in its cache). Its precision is the weights' type as the GGUF's name gives it
    (Q4_1)."""

    def __init__(self, gguf: Path, tokens: list[int], segment: int, threads: int, decode_tokens: int) -> None:
        import llama_cpp

        self.gguf, self.tokens, self.segment, self.threads = gguf, tokens, segment, threads
        self.version = llama_cpp.__version__
        self.llm = llama_cpp.Llama(model_path=str(gguf), n_ctx=len(tokens) + decode_tokens + 8, n_batch=segment,
                                   n_ubatch=segment, n_threads=threads, n_threads_batch=threads, verbose=False)
        self.prefills: list[float] = []
        self.decodes: list[float] = []
        self.firsts: list[float] = []

    @classmethod
    def open(cls, gguf: Path, tokens: list[int], segment: int, threads: int, decode_tokens: int
             ) -> LlamaCpp | str | None:
        """The reference, None when llama-cpp-python is not installed (the optional `llama` extra), or
        why it cannot load the file."""
        try:
            import llama_cpp  # noqa: F401
        except ImportError:
            return None
        try:
            return cls(gguf, tokens, segment, threads, decode_tokens)
        except (ValueError, RuntimeError, OSError) as exc:  # an architecture or file llama.cpp does not take
            return str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__

    def prefill(self, repeats: int) -> None:
        for _ in range(repeats):
            self.llm.reset()
            t0 = time.perf_counter()
            self.llm.eval(self.tokens)
            self.prefills.append(len(self.tokens) / (time.perf_counter() - t0))

    def decode(self, decode_tokens: int) -> float:
        """One greedy decode of `decode_tokens` after the tokens read: tokens/s after the first token, kept
        for the row with the first token's milliseconds."""
        stamps: list[float] = []
        t0 = time.perf_counter()
        # generate() finds the whole prompt in its cache, so each step decodes one token
        for _ in self.llm.generate(self.tokens, top_k=1, temp=0.0):
            stamps.append(time.perf_counter())
            if len(stamps) == decode_tokens:
                break
        self.firsts.append(1000 * (stamps[0] - t0))
        self.decodes.append(after_first(stamps))
        return self.decodes[-1]

    def row(self) -> dict:
        pm, psd = mean_sd(self.prefills)
        dm, dsd = mean_sd(self.decodes) if self.decodes else (None, None)
        return {"precision": self.gguf.stem.rsplit(".", 1)[-1], "threads": self.threads,
                "weight_mb": round(self.gguf.stat().st_size / 2**20), "method": "llama.cpp",
                "segment": self.segment, "length": len(self.tokens), "prefill_tokens_per_s": round(pm, 1),
                "prefill_sd": round(psd, 1), "prefill_ratio": None,
                "decode_tokens_per_s": None if dm is None else round(dm, 1),
                "decode_sd": None if dsd is None else round(dsd, 1), "decodes": len(self.decodes),
                "first_token_ms": round(statistics.median(self.firsts), 1) if self.firsts else None,
                "llama_cpp_python": self.version}

    def close(self) -> None:
        self.llm.close()


class LlamaCppReferences:
    """bench_speed's llama.cpp for each segment length, opened (and its prefill timed) the first time a
    precision asks for it and kept for the next precisions, so every precision's decodes pair with the
    same llama.cpp; close() gives their rows."""

    def __init__(self, threads: int, repeats: int, decode_tokens: int, say: Callable[[str], None]) -> None:
        self.threads, self.repeats, self.decode_tokens, self.say = threads, repeats, decode_tokens, say
        self.opened: dict[int, LlamaCpp | None] = {}

    def get(self, segment: int, gguf: Path, tokens: list[int]) -> LlamaCpp | None:
        if segment not in self.opened:
            ref = LlamaCpp.open(gguf, tokens, segment, self.threads, self.decode_tokens)
            if isinstance(ref, str):
                self.say(f"llama.cpp could not load {gguf.name}: {ref}; no llama.cpp row")
                ref = None
            elif ref is not None:
                self.say(f"llama.cpp (llama-cpp-python {ref.version}) reads the same tokens in {segment}-token "
                         "batches, then decodes after each decode of the engine")
                ref.prefill(self.repeats)
            self.opened[segment] = ref
        return self.opened[segment]

    def close(self) -> list[dict]:
        rows = []
        for ref in (r for r in self.opened.values() if r is not None):
            rows.append(ref.row())
            ref.close()
            self.say(f"llama.cpp seg {ref.segment}: {rows[-1]['prefill_tokens_per_s']} tok/s prefill, "
                     f"{rows[-1]['decode_tokens_per_s']} tok/s decode ({rows[-1]['decodes']} decodes, each right "
                     "after one of the engine's)")
        return rows


# --- summaries --------------------------------------------------------------------------------------

def coverage(text: str, facts: dict) -> dict:
    """Which chapters' key facts a summary names: a fact counts when all its keywords occur in it."""
    low = text.lower()
    chapters = []
    for ch in facts["chapters"]:
        hits = [all(k.lower() in low for k in f["keywords"]) for f in ch["facts"]]
        chapters.append({"chapter": ch["chapter"], "facts": len(hits), "covered": sum(hits)})
    n_facts = sum(c["facts"] for c in chapters)
    covered = sum(c["covered"] for c in chapters)
    return {"facts": n_facts, "facts_covered": covered, "fact_coverage": round(covered / n_facts, 3),
            "chapters": len(chapters), "chapters_covered": sum(c["covered"] > 0 for c in chapters),
            "per_chapter": chapters}


# A quote's citation, the program's words: since a PDF's page numbers are left out of its text, the page
# it names is no word of the document, and every quote's "(p. 2)" counted as an unsupported name.
CITATION = re.compile(r"\((?:p|pp|line|lines)\.? \d+(?:[\u2013-]\d+)?\)")


def summary_body(data: dict) -> str:
    """What a summary run wrote for a reader, less its headings and its list of recurring names: the
    overview, notes and quotes (a title names a section's place, and a name list, the document's or a
    section's, no event, so neither counts as coverage)."""
    from infinicli.tasks.summarize import NAMED_HERE, NAMES_LINES

    text = data.get("markdown") or data.get("summary", "")
    return "\n".join(line.lstrip("> ") for line in text.splitlines()
                     if not line.startswith(("#", NAMED_HERE, *NAMES_LINES.values())))


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def quotes_found(data: dict, pages: dict[int, list[str]]) -> str | None:
    """How many of a summary's quotes a reader finds on the page they cite (or run on to the next):
    every piece of an excerpt, letters and digits compared, so line breaks and hyphens do not count.
    None where the run quotes nothing or the document has no pages."""
    quotes = [q for s in data.get("sections", []) for q in s.get("quotes", []) if q.get("page") is not None]
    if not quotes or not pages:
        return None
    found = 0
    for q in quotes:
        page = _letters(" ".join(pages.get(q["page"], []) + pages.get(q["page"] + 1, [])))
        pieces = [_letters(x) for x in q["text"].split("\u2026")]
        found += all(x in page for x in pieces if x)
    return f"{found}/{len(quotes)}"


EXTRACTIVE = ("lexrank", "textrank")  # no model at all: sumy's graph rankings of the document's sentences
EXTRACTIVE_SENTENCES = 24


def extractive_summary(document: Path, method: str, sentences: int = EXTRACTIVE_SENTENCES) -> dict:
    """A no-model floor: sumy's LexRank or TextRank picks `sentences` of the document's sentences (split
    as infini splits them, so both rank the same units), printed in document order.
    Bench-only: `pip install -e '.[bench]'`."""
    try:
        from nltk.tokenize import NLTKWordTokenizer
        from sumy.nlp.stemmers import Stemmer
        from sumy.parsers.plaintext import PlaintextParser
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.summarizers.text_rank import TextRankSummarizer
        from sumy.utils import get_stop_words
    except ImportError as e:
        raise InfiniError(f"the {method} baseline needs sumy: pip install -e '.[bench]' ({e})") from None
    import resource

    from infinicli.sources import open_source
    from infinicli.tokens import passage_bounds

    class Splitter:  # sumy's tokenizer interface, without NLTK's punkt data (not reachable here)
        language = "english"
        words = NLTKWordTokenizer()

        def to_sentences(self, paragraph: str) -> list[str]:
            starts = passage_bounds(paragraph, "sentence")
            return [s for a, b in zip(starts, [*starts[1:], len(paragraph)]) if (s := paragraph[a:b].strip())]

        def to_words(self, sentence: str) -> list[str]:
            return [w for w in self.words.tokenize(sentence) if any(c.isalnum() for c in w)]

    t0 = time.perf_counter()
    text = "\n".join(chunk.text for chunk in open_source(str(document), on_warning=lambda _: None))
    parsed = PlaintextParser.from_string(text, Splitter()).document
    ranker = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer}[method](Stemmer("english"))
    ranker.stop_words = get_stop_words("english")
    chosen = [" ".join(str(s).split()) for s in ranker(parsed, sentences)]
    markdown = f"# {method} ({sentences} sentences)\n\n" + "\n".join(f"> {s}" for s in chosen) + "\n"
    return {"strategy": method, "sentences": chosen, "markdown": markdown, "tokens": None,
            "document_sentences": len(parsed.sentences), "seconds": round(time.perf_counter() - t0, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),  # this process
            "command": f"infini bench summarize --file {document} --strategies {method}  # sumy, in-process"}


def bench_summarize(document: Path, facts_path: Path, strategies: list[str], length: str, model: str,
                    precision: str, out_dir: Path, on_row: Callable[[dict], None]) -> list[dict]:
    """Each strategy in a fresh process on the same document; each run's JSON kept (resumable).

    Per row: chapters and facts covered by what was written (facts.json's keyword rule), words, the
    sentences left in it that name what the document never contains, the sentences dropped for that
    before output (infini only), seconds and peak RSS."""
    from infinicli.evidence import DocumentWords
    from infinicli.sources import open_source
    from infinicli.tokens import passage_bounds

    facts = json.loads(facts_path.read_text())
    words = DocumentWords()
    pages: dict[int, list[str]] = {}
    for chunk in open_source(str(document), on_warning=lambda _: None):
        words.add(chunk.text)
        if chunk.page is not None:
            pages.setdefault(chunk.page, []).append(chunk.text)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for strategy in strategies:
        path = out_dir / f"summary-{strategy}-{length}.json"
        if path.exists():
            data = json.loads(path.read_text())
        elif strategy in EXTRACTIVE:
            data = extractive_summary(document, strategy)
            write_json(path, data)
        else:
            data = _run_cell("summarize", {"path": str(document), "strategy": strategy, "length": length,
                                           "model": model, "precision": precision})
            write_json(path, data)
        body = summary_body(data)
        cov = coverage(body, facts)
        starts = passage_bounds(body, "sentence")
        sentences = [body[a: b] for a, b in zip(starts, [*starts[1:], len(body)]) if body[a:b].strip()]
        row = {"strategy": strategy, "tokens": data["tokens"], "seconds": data["seconds"],
               "peak_rss_mb": data["peak_rss_mb"], "words": len(body.split()),
               "unsupported_sentences": sum(bool(words.unsupported(CITATION.sub("", x))) for x in sentences),
               "dropped": data.get("dropped", 0), "quotes_found": quotes_found(data, pages),
               **{k: v for k, v in cov.items() if k != "per_chapter"}, "per_chapter": cov["per_chapter"]}
        rows.append(row)
        on_row(row)
    return rows
