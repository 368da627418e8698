"""A session: the model, its trained Infini parameters and its retrieval heads, loaded once, and the
engine built on them. The CLI, the benchmarks and the Python API all start here.

    from infinicli.session import Session

    session = Session.load()                      # the default model, with the CLI's defaults
    result = session.ask("book.pdf", "Who rescued the sailors?")
    print(result.answer, result.evidence[0])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from infinicli import model_store
from infinicli.config import EngineConfig
from infinicli.engine import InfiniModel, InfiniParams
from infinicli.errors import InfiniError
from infinicli.precision import DEFAULT_PRECISION, PRECISIONS, bf16_fast
from infinicli.precision import apply as apply_precision
from infinicli.tokenizer import Tokenizer

PROBE_HEADS = 8  # the question's attention counts in the model's 8 best retrieval heads (heads.py)


def check_params(params: str | Path | None) -> None:
    """Refuse a --params path that holds no trained Infini parameters (before any slow load)."""
    if params is not None and not InfiniParams.file_in(params).is_file():
        raise InfiniError(f"no trained Infini parameters at {params} (make them with `infini train`)")


def check_input(path: str | Path, given: dict[str, object] | None = None, states: bool = True,
                password: str | None = None) -> None:
    """Refuse an input before the model loads: missing, a directory, a named pipe, a device, binary
    data, a PDF without a text layer or whose password is missing or wrong; a saved state where none
    is taken (states False), or one read with other engine settings than the options `given` on the
    command line."""
    from infinicli import snapshot
    from infinicli.sources import check_input as check_file
    from infinicli.sources import open_source

    path = str(path)
    check_file(path)
    if snapshot.is_snapshot(path):
        if not states:
            raise InfiniError(f"{path} is already a saved state")
        if given is not None:  # reads the state's header too: a damaged one is refused here
            snapshot.check_options(path, given)
    elif path != "-":
        # its first chunk (a PDF's first page with text): measured on an image-only PDF, the refusal
        # came after the model had loaded, 7 s in; this costs a PDF's first pages' text, milliseconds
        chunks = open_source(path, password, on_warning=lambda _: None)
        next(chunks, None)
        getattr(chunks, "close", lambda: None)()


@dataclass(slots=True)
class Session:
    engine: InfiniModel
    tok: Tokenizer
    info: model_store.ModelInfo

    @classmethod
    def load(cls, model: str = model_store.DEFAULT_MODEL, *, method: str | None = None, segment: int = 512,
             window: int | None = None, pool: int | None = None, block: int | None = None, rule: str = "delta",
             gate: float | None = None, params: str | Path | None = None, probe_heads: int = PROBE_HEADS,
             precision: str = DEFAULT_PRECISION, say: Callable[[str], None] = lambda _: None) -> Session:
        """Load a model by name, Hugging Face directory or .gguf file, and build the engine.

        method None: infini+recall, or exact attention when an input fits the model's context.
        Nothing is printed unless `say` is given."""
        config = EngineConfig.for_method(
            method or "infini+recall", segment=segment, window=window, pool_blocks=pool, block=block,
            rule=rule, gate_beta=gate, adaptive=method is None, probe_heads=probe_heads)
        check_params(params)
        if precision not in PRECISIONS:
            raise InfiniError(f"--precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
        if precision == "bf16+int4" and not bf16_fast():
            raise InfiniError("--precision bf16+int4 needs a CPU that multiplies bfloat16 (AVX-512 BF16 or AMX); "
                              "this one does not: use fp16+int4")
        model_store.resolve(model)  # an unknown name or a directory without safetensors: one sentence, first
        say(f"Loading {model}")
        loaded = model_store.load(model, say=say)
        apply_precision(loaded.model, precision)
        trained = InfiniParams.load(params, loaded.model) if params is not None else None
        engine, tok = InfiniModel(loaded.model, config, trained), Tokenizer(loaded.tokenizer)
        engine.half_spans = precision != "fp32"  # the open span in float16 (engine.OpenSpan), as llama.cpp's cache
        if config.probe_heads:  # they score the recall pool and rate the evidence
            from infinicli import heads

            margin = heads.load_or_calibrate(engine, tok, model_store.infini_home(), say=say)
            engine.set_probe_heads(heads.select(margin, config.probe_heads))
        return cls(engine, tok, loaded.info)

    def ask(self, path: str | Path, question: str, **options):
        """Answer a question about a document (or a saved .infini state): tasks.ask.run's AskResult."""
        from infinicli.tasks import ask

        return ask.run(self.engine, self.tok, self.info, str(path), question, **options)

    def summarize(self, path: str | Path, **options):
        """Summarize a document: tasks.summarize.run's Summary (its .markdown() is what the CLI prints)."""
        from infinicli.tasks import summarize

        return summarize.run(self.engine, self.tok, str(path), **options)

    def read(self, path: str | Path, save: str | Path, *, password: str | None = None, force: bool = False,
             on_segment=None):
        """Read a document and save the state at `save` (atomically): reading.Reading."""
        from infinicli import reading
        from infinicli.sources import open_source

        check_input(path, states=False, password=password)
        total = reading.count_tokens(self.tok, str(path), password)
        result = reading.read(self.engine, self.tok, str(path), open_source(str(path), password), None, 512,
                              on_segment, total)
        reading.save(self.engine, self.info, result, str(save), force)
        return result

    def code(self, directory: str | Path, question: str | None = None, **options):
        """Read a repository; answer the question, or give an overview: tasks.code.run's CodeResult."""
        from infinicli.tasks import code

        return code.run(self.engine, self.tok, code.scan(directory), question, **options)
