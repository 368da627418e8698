"""Fuzz tests of every input parser: PDF, text, repository walk, saved state, GGUF header.

Each parser gets mutated or arbitrary input and must either give its result or refuse the input with the
project's own error (InfiniError) in one line. It must never raise anything else, never hang (a watchdog
ends the process after WATCHDOG_S seconds), and never try a huge allocation (the saved-state and GGUF
cases run under an address-space limit, so an attempt fails here instead of waking the OOM killer).
Hypothesis runs derandomized (a fixed seed per test), with few examples by default so the file takes
seconds in CI; INFINI_FUZZ_EXAMPLES=N runs N examples per parser (README, "Run the tests"). What the
fuzzers found is kept as plain tests below each one; the xfail ones are bugs not fixed yet, which a long
run can find again.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import re
import resource
import struct
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from infinicli import model_store, resources, snapshot
from infinicli.errors import InfiniError, ModelError
from infinicli.sources import check_input, open_source
from infinicli.sources import repo as repo_mod
from infinicli.sources.pdf import pdf_outline
from infinicli.sources.repo import iter_repo_chunks, summarize_scan, walk_repo
from infinicli.ui import ZWSP, clean, safe

EXAMPLES = int(os.environ.get("INFINI_FUZZ_EXAMPLES") or 0)
WATCHDOG_S = 60  # one example running this long is a hang: the process dumps its stack and exits
# address space a saved-state or GGUF example may add: the largest saved state the tiny model may hold
# (a window, pool and sink of 2^20 tokens each) takes 1.65 GB
HEADROOM = 2 << 30


def fuzz(ci_examples: int, deadline_s: float = 5.0):
    """Hypothesis settings: a fixed seed, `ci_examples` examples unless INFINI_FUZZ_EXAMPLES says more,
    and a deadline far above a normal example's time (a slow case fails, a loaded machine does not)."""
    return settings(max_examples=EXAMPLES or ci_examples, derandomize=True, database=None,
                    deadline=timedelta(seconds=deadline_s), print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@contextlib.contextmanager
def watchdog():
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@contextlib.contextmanager
def bounded_memory(extra: int = HEADROOM):
    """Cap the process's address space at its current size plus `extra` while the block runs."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = psutil.Process().memory_info().vms + extra
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def refused_or(run):
    """run()'s result, or None when it refused its input with one of our errors in one line."""
    try:
        with watchdog():
            result = run()
        event("accepted")
        return result
    except InfiniError as exc:
        message = str(exc)
        event("refused: " + re.sub(r"\d+", "N", re.sub(r"\S*/\S*", "PATH", message))[:70])
        # the error boundary (__main__.py) prints it as it is: a control character in it reaches the terminal
        assert message.strip() and not any(unicodedata.category(c) == "Cc" for c in message), repr(message)
        assert len(message) < 600 and "Traceback" not in message, repr(message)
        assert "MemoryError" not in message and "allocate" not in message, f"an allocation was tried: {message}"
        return None


def printable(text: str) -> None:
    """What the CLI prints from an input: no control character but tab and newline once cleaned, and no
    rich markup once made safe (shown inside a markup line, as the tables do)."""
    from rich.text import Text

    shown = clean(text)
    assert all(c in "\t\n" or unicodedata.category(c) != "Cc" for c in shown), repr(shown)
    line = Text.from_markup(f"[bold]{safe(text)}[/bold]")
    assert [(s.start, s.end, s.style) for s in line.spans] == ([(0, len(line.plain), "bold")] if line.plain else [])
    assert line.plain.replace(ZWSP, "") == shown, (line.plain, shown)


@pytest.mark.parametrize("text", ["\\[", "a\\[b", "C:\\[x", "\\\\\\", "\\\\[bold]x", "[/]"])
def test_backslashes_and_brackets_are_shown_as_they_are(text: str) -> None:
    # rich.markup.escape lost the backslash of the first three and let the fourth (found by the text
    # fuzz below) escape "[/bold]"
    from rich.text import Text

    assert Text.from_markup(f"[bold]{safe(text)}[/bold]").plain.replace(ZWSP, "") == text


# --- mutations ---------------------------------------------------------------------------------------

INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 1 << 32, (1 << 63) - 1,
               (1 << 64) - 1]
NUMBERS = [b"0", b"-1", b"1", b"65535", b"4294967296", b"99999999999999999999", b"1e308", b"-0", b"."]


@st.composite
def mutated(draw, data: bytes, hot: tuple[int, ...] = (), end: int | None = None) -> bytes:
    """`data` with one to four edits of the kinds a fuzzer makes: bit flips, interesting bytes and
    integers, ASCII numbers replaced, cuts, splices, insertions and deletions. Positions fall before
    `end` (the whole input by default), half of them near one of the `hot` offsets (its structure)."""
    buf = bytearray(data)
    end = len(data) if end is None else end
    for _ in range(draw(st.integers(1, 4))):
        if not buf:
            break
        top = max(1, min(end, len(buf)))
        if hot and draw(st.booleans()):
            pos = min(top - 1, max(0, draw(st.sampled_from(hot)) + draw(st.integers(-4, 40))))
        else:
            pos = draw(st.integers(0, top - 1))
        kind = draw(st.sampled_from(["flip", "byte", "int", "number", "cut", "splice", "insert", "delete"]))
        if kind == "flip":
            buf[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            buf[pos] = draw(st.sampled_from([0, 0x0A, 0x1B, 0x25, 0x7F, 0x80, 0xFF]) | st.integers(0, 255))
        elif kind == "int":
            width = draw(st.sampled_from([4, 8]))
            value = draw(st.sampled_from(INTERESTING)) & ((1 << 8 * width) - 1)
            buf[pos:pos + width] = value.to_bytes(width, "little")
        elif kind == "number":
            digits = re.compile(rb"-?\d+").search(bytes(buf[pos:pos + 64]))
            if digits:
                buf[pos + digits.start():pos + digits.end()] = draw(st.sampled_from(NUMBERS))
        elif kind == "cut":
            del buf[pos:]
        elif kind == "splice":
            start = draw(st.integers(0, len(buf) - 1))
            piece = buf[start:start + draw(st.integers(1, 512))]
            buf[pos:pos + (len(piece) if draw(st.booleans()) else 0)] = piece
        elif kind == "insert":
            buf[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        else:
            del buf[pos:pos + draw(st.integers(1, 64))]
    return bytes(buf)


def offsets(data: bytes, marks: tuple[bytes, ...]) -> tuple[int, ...]:
    return tuple(sorted({m.start() for mark in marks for m in re.finditer(re.escape(mark), data)}))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# --- PDF ---------------------------------------------------------------------------------------------

PDF = (Path(__file__).parent / "data" / "awesomebox.pdf").read_bytes()  # 8 pages, an outline, XeLaTeX
PDF_HOT = offsets(PDF, (b" obj", b"endobj", b"stream", b"/Length", b"xref", b"startxref", b"trailer", b"/Count",
                        b"/Kids", b"/Parent", b"/Outlines", b"/First", b"/Next", b"/Dest", b"/Filter", b"/Size",
                        b"/Root", b"/Type", b"/W ", b"/Index", b"/N ", b"/Prev"))


def read_pdf(path: str) -> tuple[list, list[str]]:
    warnings: list[str] = []
    check_input(path)
    return list(open_source(path, on_warning=warnings.append)), warnings


@fuzz(ci_examples=40)
@given(data=mutated(PDF, PDF_HOT))
def test_mutated_pdfs_give_pages_or_one_sentence(scratch: Path, data: bytes) -> None:
    path = scratch / "doc.pdf"
    path.write_bytes(data)
    got = refused_or(lambda: read_pdf(str(path)))
    if got is not None:
        chunks, warnings = got
        pages = [c.page for c in chunks]
        assert pages == sorted(set(pages)) and all(isinstance(p, int) and p >= 1 for p in pages)
        for c in chunks:
            assert isinstance(c.text, str) and c.text.strip()
            printable(c.text)
        assert all("\n" not in w for w in warnings)
    outline = refused_or(lambda: pdf_outline(str(path)))  # summarize's sections: never refuses, may be empty
    assert isinstance(outline, list)
    for level, title, page in outline:
        assert 1 <= level <= 32 and page >= 1 and isinstance(title, str)
        printable(title)


def test_the_unmutated_pdf_reads() -> None:
    """The fuzz above starts from a PDF that reads: eight pages of text and an outline."""
    chunks, warnings = read_pdf(str(Path(__file__).parent / "data" / "awesomebox.pdf"))
    assert len(chunks) == 8 and warnings == [] and len(PDF_HOT) > 100


# --- text ------------------------------------------------------------------------------------------

HOSTILE = ["\x1b]0;pwned\x07", "\x1b[2J", "\x1b[31m", "\x00", "\x9b", "\x85", "\r", "\r\n", "\n", "\t", "\x7f",
           "\u202e", "\u2028", "\ufeff", "\ufffd", "[bold]x[/]", "[link=file:///etc]y[/link]", "\\", "é", "Größe",
           "日本語", "😀", "The harbour master keeps the ledger. "]
ENCODINGS = ["utf-8", "utf-16-le", "utf-16-be", "utf-16", "utf-32-le", "utf-8-sig", "cp1252", "latin-1"]
texts = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=20), max_size=40).map("".join)
text_bytes = (st.binary(max_size=2048)
              | st.tuples(texts, st.sampled_from(ENCODINGS)).map(lambda p: p[0].encode(p[1], errors="replace"))
              | st.tuples(st.binary(max_size=8), texts, st.binary(max_size=8)).map(
                  lambda p: p[0] + p[1].encode() + p[2]))


def read_text(path: str) -> tuple[list, list[str]]:
    warnings: list[str] = []
    check_input(path)
    return list(open_source(path, on_warning=warnings.append)), warnings


@fuzz(ci_examples=150)
@given(data=text_bytes, name=st.sampled_from(["doc.txt", "doc.md", "doc", "doc.pdf"]))
def test_arbitrary_bytes_give_text_or_one_sentence(scratch: Path, data: bytes, name: str) -> None:
    path = scratch / name
    path.write_bytes(data)
    try:
        got = refused_or(lambda: read_text(str(path)))
    finally:
        path.unlink()
    if got is not None:
        chunks, warnings = got
        line = 1
        for c in chunks:  # each chunk starts on the line its predecessors end on
            assert isinstance(c.text, str) and c.line == line and c.page is None
            line += c.text.count("\n")
            printable(c.text)
        assert len(warnings) <= 1 and all("\n" not in w for w in warnings)


WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=10)
PUNCT = st.sampled_from(["", "", "", ",", ".", ";", ":", "!", "?", "'s", ")", "-"])


@fuzz(ci_examples=40)
@given(words=st.lists(st.tuples(WORD, PUNCT).map("".join), min_size=5, max_size=60),
       encoding=st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_prose_in_utf16_without_a_bom_reads_as_its_text(scratch: Path, words: list[str], encoding: str) -> None:
    text = " ".join(words)
    path = scratch / "utf16.txt"
    path.write_bytes(text.encode(encoding))
    chunks, warnings = read_text(str(path))
    assert "".join(c.text for c in chunks) == text and warnings == []


@pytest.mark.parametrize("text", ["0 0 0 44444444 222222244", "0 0 0 22222222 222222222", "A A, A, A, AA,"])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_short_repetitive_utf16_without_a_bom_reads_as_its_text(tmp_path: Path, text: str, encoding: str) -> None:
    # found by the fuzz above (the digits when its words could be digits, the letters in a run of 2,000):
    # UTF-16-LE bytes decoded as UTF-16-BE ('\u3000\u2000...㐀㐀', '䄀\u2000䄀Ⰰ...') or refused as
    # "binary data, not text or a PDF"
    path = tmp_path / "short.txt"
    path.write_bytes(text.encode(encoding))
    chunks, _ = read_text(str(path))
    assert "".join(c.text for c in chunks) == text


# --- repository walk ---------------------------------------------------------------------------------

NAME_PARTS = [b"a", b"README.md", b".gitignore", b"-rf", b"--help", b"\n", b"\r", b"\x1b[2J", b"\x1b]0;t\x07",
              b"\xff", b"\xc3\x28", b"\xe9", "é".encode(), b" ", b"*", b"?", b"[x]", b"!", b"#", b"\\", b".py",
              b"tests", b".git", b"~", b"\t", b"\x7f"]
names = st.lists(st.sampled_from(NAME_PARTS) | st.binary(min_size=1, max_size=4), min_size=1, max_size=4).map(
    lambda parts: b"".join(parts).replace(b"/", b"_").replace(b"\0", b"_")).filter(lambda n: n not in (b".", b".."))
contents = (st.binary(max_size=300) | texts.map(lambda t: t.encode("utf-8", errors="replace"))
            | st.lists(st.sampled_from(["*", "!", "/", "**", "[", "]", "\\", "#", "a", ".py", "\n", " "]),
                       max_size=30).map(lambda p: "".join(p).encode()))
OUTSIDE = b"SECRET-OUTSIDE-THE-TREE"
entries = st.lists(st.tuples(st.sampled_from(["file", "dir", "link", "fifo"]), st.lists(names, min_size=1, max_size=3),
                             contents, st.sampled_from(["inside", "outside", "outside-abs", "root", "parent",
                                                        "self", "dangling", "loop"])),
                   max_size=12)


def build_tree(root: bytes, spec: list) -> None:
    """Files, folders, symlinks (into the tree, out of it, dangling, looping) and FIFOs, named by bytes."""
    made: list[bytes] = []
    for kind, parts, body, target in spec:
        path = os.path.join(root, *parts)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if os.path.lexists(path):
                continue
            if kind == "file":
                with open(path, "wb") as f:
                    f.write(body)
            elif kind == "dir":
                os.mkdir(path)
            elif kind == "fifo":
                os.mkfifo(path)
            else:
                os.symlink({"inside": os.path.relpath(made[-1], os.path.dirname(path)) if made else b"a",
                            "outside": os.path.relpath(os.path.join(root, b"..", b"outside", b"secret.txt"),
                                                       os.path.dirname(path)),
                            "outside-abs": os.path.join(os.path.dirname(root), b"outside", b"secret.txt"),
                            "root": root, "parent": b"..", "self": os.path.basename(path),
                            "dangling": b"nowhere/at/all", "loop": os.path.basename(path) + b".x"}[target], path)
            made.append(path)
        except OSError:  # a name too long, a part that is already a file: the tree is what could be made
            continue


@fuzz(ci_examples=40)
@given(spec=entries, as_git=st.booleans())
def test_any_tree_gives_a_scan_or_one_sentence_and_never_leaves_it(chars, spec: list, as_git: bool) -> None:
    from infinicli.tokens import token_stream

    with tempfile.TemporaryDirectory(prefix="infini-fuzz-") as base:
        base_b = os.fsencode(base)
        os.mkdir(os.path.join(base_b, b"outside"))
        with open(os.path.join(base_b, b"outside", b"secret.txt"), "wb") as f:
            f.write(OUTSIDE + b"\n")
        root = os.path.join(base_b, b"repo")
        os.mkdir(root)
        build_tree(root, [e for e in spec if e[0] != "fifo"])
        if as_git:  # named pipes come after `git add`, which would wait on them
            import subprocess

            env = {**os.environ, "GIT_CEILING_DIRECTORIES": base, "GIT_CONFIG_GLOBAL": os.devnull,
                   "GIT_CONFIG_NOSYSTEM": "1"}
            subprocess.run(["git", "init", "-q"], cwd=root, env=env, capture_output=True, timeout=30)
            subprocess.run(["git", "add", "-A"], cwd=root, env=env, capture_output=True, timeout=30)
        build_tree(root, [e for e in spec if e[0] == "fifo"])

        def scan_and_read():
            scan = walk_repo(os.fsdecode(root))
            facts = summarize_scan(scan, lambda text: len(chars.encode(text)))
            chunks = list(iter_repo_chunks(scan))
            ids = [t for t, _ in token_stream(chars, chunks)]
            return scan, facts, chunks, ids

        with pytest.MonkeyPatch.context() as patch:
            # git waits this long on a .gitignore that is a named pipe before the walk takes over (60 s in use;
            # tests/test_hostile.py shortens it the same way)
            patch.setattr(repo_mod, "GIT_TIMEOUT_S", 2)
            got = refused_or(scan_and_read)
        if got is None:
            return
        scan, facts, chunks, _ = got
        real_root = os.path.realpath(root)
        for file in scan.files:
            where = os.path.realpath(os.path.join(real_root, os.fsencode(file.path)))
            assert where.startswith(real_root + b"/"), f"{file.path!r} leads out of the tree to {where!r}"
        for chunk in chunks:
            assert OUTSIDE.decode() not in chunk.text
        for row in facts["read"]:
            printable(row["path"])
        for paths in facts["skipped"].values():
            for p in paths:
                printable(p)


# --- saved state -------------------------------------------------------------------------------------

def split_safetensors(data: bytes) -> tuple[dict, bytes]:
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + n]), data[8 + n:]


def join_safetensors(header: dict, body: bytes) -> bytes:
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + body


def leaves(value, path=()) -> list[tuple]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaves(v, (*path, i))] or [path]
    return [path]


def put(root, path: tuple, value, delete: bool) -> None:
    *parents, last = path
    for key in parents:
        root = root[key]
    if delete:
        del root[last]
    else:
        root[last] = value


INTS = st.integers(-2, 70) | st.sampled_from([-1, 1 << 10, 1 << 16, 1 << 20, (1 << 20) + 1, 1 << 31, 1 << 40,
                                             1 << 63, 10 ** 30]) | st.integers()
json_values = (INTS | st.floats() | st.booleans() | st.none() | st.text(max_size=20)
               | st.lists(INTS, max_size=4) | st.dictionaries(st.text(max_size=5), INTS, max_size=2))
WORDS = st.sampled_from(["full", "window", "infini", "infini+recall", "delta", "linear", "auto", "probe", "residual"])


def get(root, path: tuple):
    for key in path:
        root = root[key]
    return root


def value_like(original):
    """Mostly a value of the original's type (so the change gets past the type checks), else any JSON value."""
    same = {bool: st.booleans(), int: INTS, float: st.floats(), str: WORDS | st.text(max_size=20)}.get(
        type(original), json_values)
    return same | same | json_values


DTYPES = ["F32", "F16", "BF16", "F64", "I64", "I32", "U8", "BOOL", "F8_E4M3", "X"]


@dataclass(frozen=True)
class Saved:
    """A valid saved state of the tiny model (made as tests/test_documents.py does), its tensors and bytes."""

    engine: object = field(repr=False)
    info: object = field(repr=False)
    path: str
    want: dict = field(repr=False)
    data: bytes = field(repr=False)
    header: dict = field(repr=False)
    body: bytes = field(repr=False)


@pytest.fixture(scope="module")
def saved(tiny, tmp_path_factory: pytest.TempPathFactory) -> Saved:
    from tests.test_documents import _saved

    engine, info, path = _saved(tiny, tmp_path_factory.mktemp("saved"))
    data = Path(path).read_bytes()
    header, body = split_safetensors(data)
    want = {name: t.clone() for name, t in state_tensors(engine).items()}
    return Saved(engine, info, path, want, data, header, body)


def state_tensors(engine) -> dict[str, torch.Tensor]:
    s = engine.state
    w, p = s.window, s.pool
    return {"M": torch.stack(s.memory.M), "z": torch.stack(s.memory.z), "wk": w.k[:, :, :w.size],
            "wv": w.v[:, :, :w.size], "wpos": w.pos[:w.size], "pk": p.k[:, :, :p.size], "pv": p.v[:, :, :p.size],
            "ppos": p.pos[:p.size], "sk": p.sink_k[:, :, :p.sink_size], "sv": p.sink_v[:, :, :p.sink_size]}


@st.composite
def mutated_state(draw, header: dict, body: bytes, data: bytes) -> bytes:
    """A saved state with its infini header, its safetensors header or its raw bytes changed."""
    where = draw(st.sampled_from(["infini", "infini", "infini", "safetensors", "tensors", "bytes"]))
    if where == "bytes":
        return draw(mutated(data, hot=(0, 8)))
    header = json.loads(json.dumps(header))
    if where == "tensors":
        return join_safetensors(header, draw(mutated(body)))
    if where == "safetensors":
        name = draw(st.sampled_from(sorted(k for k in header if k != "__metadata__")))
        field = draw(st.sampled_from(["dtype", "shape", "data_offsets", None]))
        if field is None:
            del header[name]
        else:
            header[name][field] = draw(st.sampled_from(DTYPES)) if field == "dtype" else draw(st.lists(INTS,
                                                                                                    max_size=5))
        return join_safetensors(header, body)
    meta = json.loads(header["__metadata__"]["infini"])
    # the settings and counts first: changing the model's name or the format only earns a refusal
    fields = sorted(leaves(meta), key=lambda p: (p[:1] not in (("engine",), ("tokens",), ("memory_writes",),
                                                                ("pool_blocks",), ("pool_scores",)), p != ()))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(fields))
        if not path:
            break
        with contextlib.suppress(KeyError, IndexError, TypeError):
            put(meta, path, draw(value_like(get(meta, path))), delete=draw(st.integers(0, 5)) == 0)
    header["__metadata__"]["infini"] = json.dumps(meta)
    return join_safetensors(header, body)


@fuzz(ci_examples=60)
@given(data=st.data())
def test_mutated_saved_states_load_whole_or_are_refused(saved, scratch: Path, data) -> None:
    engine, info, want = saved.engine, saved.info, saved.want
    crafted = data.draw(mutated_state(saved.header, saved.body, saved.data))
    path = scratch / "crafted.infini"
    path.write_bytes(crafted)
    with bounded_memory():
        loaded = refused_or(lambda: snapshot.load(engine, info, str(path)))
    got = state_tensors(engine)
    try:
        if loaded is not None:  # its tensors passed their checksum: they are the original ones
            assert isinstance(loaded, dict)
            assert want.keys() == got.keys()
            for name in want:
                assert torch.equal(got[name], want[name]), name
            # what was allocated is what validation measured and allowed
            need = snapshot.state_bytes(engine, engine.config, engine.state.window.size)
            assert engine.state.nbytes <= need <= resources.FREE_SHARE * resources.free_bytes()
    finally:
        snapshot.load(engine, info, saved.path)  # the next example starts from the saved state


def test_a_saved_state_whose_settings_ask_for_more_memory_than_is_free_is_refused(tmp_path: Path) -> None:
    """Found by hand beside the fuzz above: the checksum covers the tensors, not the settings, so a header
    that only asked for a window, pool and sink of 2^20 tokens each passed validation and engine.reset
    allocated them (1.65 GB for the tiny model's 100 tokens, ~140 GB for the default model's)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    from tests.test_documents import _saved

    torch.manual_seed(0)  # 64 KV heads of 64 dims: 64 KB of K/V a token, and a model of 1.7 M parameters
    wide = LlamaForCausalLM(LlamaConfig(vocab_size=99, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                        num_attention_heads=64, num_key_value_heads=64, head_dim=64,
                                        max_position_embeddings=256)).eval()
    engine, info, path = _saved(wide, tmp_path)
    header, body = split_safetensors(Path(path).read_bytes())
    meta = json.loads(header["__metadata__"]["infini"])
    meta["engine"].update(window=1 << 20, sink=1 << 20, pool_blocks=1 << 10, block=1 << 10)
    header["__metadata__"]["infini"] = json.dumps(meta)
    crafted = tmp_path / "crafted.infini"
    crafted.write_bytes(join_safetensors(header, body))
    cfg = snapshot.engine_config(meta, crafted)
    if snapshot.state_bytes(engine, cfg) <= resources.FREE_SHARE * resources.free_bytes():
        pytest.skip("this machine has the memory such a state asks for")
    before = engine.state
    with bounded_memory(), pytest.raises(InfiniError, match=r"asks for a state of 2\d\d\.\d GB"):
        snapshot.load(engine, info, str(crafted))
    assert engine.state is before


@pytest.mark.parametrize("field, value", [("model", "\x1f"), ("model", "\x1b]0;pwned\x07"),
                                          ("parameters", "\x1b[2J"), ("format", "\x1b[2J" * 1000)])
def test_a_saved_state_header_reaches_the_message_escaped_and_short(saved, tmp_path: Path, field: str,
                                                                       value: str) -> None:
    """Found by the fuzz above: a header's model name (b'\\x1f') went into the error message as it was, and
    the error boundary prints messages raw, so a crafted state could retitle or clear the terminal."""
    header = json.loads(json.dumps(saved.header))
    meta = json.loads(header["__metadata__"]["infini"])
    meta[field] = value
    header["__metadata__"]["infini"] = json.dumps(meta)
    crafted = tmp_path / "crafted.infini"
    crafted.write_bytes(join_safetensors(header, saved.body))
    with pytest.raises(InfiniError) as refused:
        snapshot.load(saved.engine, saved.info, str(crafted))
    message = str(refused.value)
    assert not any(unicodedata.category(c) == "Cc" for c in message) and "\\x1" in message
    assert len(message) < 300


# --- GGUF header -------------------------------------------------------------------------------------

def write_tiny_gguf(path: Path, layers: int = 1, hidden: int = 16, heads: int = 2, kv_heads: int = 1,
                    ff: int = 32) -> None:
    """A Llama GGUF a few KB long: random F32 weights and a byte-free BPE tokenizer of 30 tokens."""
    import gguf
    import numpy as np

    w = gguf.GGUFWriter(str(path), "llama")
    w.add_block_count(layers)
    w.add_context_length(64)
    w.add_embedding_length(hidden)
    w.add_feed_forward_length(ff)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_freq_base(10000.0)
    tokens = [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["Ġ", "ab", "<|endoftext|>"]
    w.add_tokenizer_model("gpt2")
    w.add_token_list(tokens)
    w.add_token_types([1] * (len(tokens) - 1) + [3])
    w.add_token_merges(["a b"])
    w.add_bos_token_id(len(tokens) - 1)
    w.add_eos_token_id(len(tokens) - 1)
    rng = np.random.default_rng(0)

    def weight(*shape: int):
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    kv = kv_heads * hidden // heads
    w.add_tensor("token_embd.weight", weight(len(tokens), hidden))
    for i in range(layers):
        for name, shape in (("attn_q", (hidden, hidden)), ("attn_k", (kv, hidden)), ("attn_v", (kv, hidden)),
                            ("attn_output", (hidden, hidden)), ("ffn_gate", (ff, hidden)), ("ffn_up", (ff, hidden)),
                            ("ffn_down", (hidden, ff))):
            w.add_tensor(f"blk.{i}.{name}.weight", weight(*shape))
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(hidden, np.float32))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(hidden, np.float32))
    w.add_tensor("output_norm.weight", np.ones(hidden, np.float32))
    w.add_tensor("output.weight", weight(len(tokens), hidden))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


@dataclass(frozen=True)
class TinyGGUF:
    """The tiny GGUF's bytes, the offsets of its header's fields, and where its tensor data starts."""

    data: bytes = field(repr=False)
    hot: tuple[int, ...] = field(repr=False)
    header_end: int


@pytest.fixture(scope="module")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> TinyGGUF:
    from gguf import GGUFReader

    path = tmp_path_factory.mktemp("gguf") / "tiny.gguf"
    write_tiny_gguf(path)
    assert model_store.kv_shape(str(path)) == (1, 1, 8)
    assert model_store.load(str(path)).info.layers == 1  # loads as it is (and the imports are paid for here)
    reader = GGUFReader(path)
    hot = tuple(sorted({0, 4, 8, 16, *(f.offset for f in reader.fields.values()),
                        *(t.field.offset for t in reader.tensors)}))
    return TinyGGUF(path.read_bytes(), hot, reader.data_offset)


@fuzz(ci_examples=40)
@given(data=st.data())
def test_mutated_gguf_headers_load_or_are_refused(tiny_gguf, scratch: Path, data) -> None:
    path = scratch / "model.gguf"
    path.write_bytes(data.draw(mutated(tiny_gguf.data, tiny_gguf.hot, end=tiny_gguf.header_end), label="gguf"))
    with bounded_memory():
        shape = refused_or(lambda: model_store.kv_shape(str(path)))
        loaded = refused_or(lambda: model_store.load(str(path)))
    if shape is not None:
        assert len(shape) == 3 and all(isinstance(n, int) and n > 0 for n in shape), shape
    if loaded is not None:  # the model transformers built is the one the header describes, no default filled in
        printable(loaded.info.name)
        assert (loaded.info.layers, loaded.info.kv_heads, loaded.info.head_dim) == shape
        assert loaded.info.parameters > 0


@pytest.mark.parametrize("change, message", [
    # found by the fuzz above: each gave a traceback (ValueError, KeyError, UnicodeDecodeError) from kv_shape
    ((b"GGUF", b"FGUF"), "not a readable GGUF file"),
    ((b"general.architecture", b"feneral.architecture"), "not a readable GGUF file"),
    ((b"general.architecture", b"\xe7eneral.architecture"), "not a readable GGUF file"),
    # found by the fuzz above: transformers filled the missing count with its default and loaded 32 layers,
    # 31 of them random, in 15 s, without a word
    ((b"llama.block_count", b"llama.blockWcount"), "llama.block_count missing"),
    ((b"llama.block_count\x04\x00\x00\x00\x01", b"llama.block_count\x04\x00\x00\x00\xff"), "255 layers"),
])
def test_a_damaged_gguf_header_is_refused_with_a_sentence(tmp_path: Path, change: tuple[bytes, bytes],
                                                          message: str) -> None:
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path)
    data = path.read_bytes()
    assert data.count(change[0]) == 1
    path.write_bytes(data.replace(*change))
    for read in (model_store.kv_shape, model_store.load):
        with pytest.raises(ModelError, match=message):
            read(str(path))
