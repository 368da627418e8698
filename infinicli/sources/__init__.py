"""Sources: turn a file, a directory or stdin into a stream of text chunks that remember their origin."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from infinicli.errors import InfiniError


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of text and where it came from: the file, the page for PDFs, and the line its text
    starts on (1-based, in the file or, for PDFs, in the page), so every token can be cited."""

    text: str
    origin: str  # a path, or "-" for stdin
    page: int | None = None  # 1-based page number for PDFs
    line: int = 1  # line of the file (or page) on which `text` starts; lines below 1 are headers

    @property
    def where(self) -> str:
        return f"{self.origin} p.{self.page}" if self.page is not None else self.origin


class SourceError(InfiniError):
    """An input that cannot be read; the message is one sentence for the user."""


def open_binary(path: str) -> BinaryIO:
    """Open a user's file for reading, turning OS errors into one-sentence SourceErrors."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise SourceError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise SourceError(f"{path} is a directory; use `infini code` for repositories.") from None
    except PermissionError:
        raise SourceError(f"{path} cannot be read (permission denied).") from None
    except OSError as exc:
        raise SourceError(f"{path} cannot be read ({exc.strerror or exc}).") from None


def open_source(path: str, password: str | None = None,
                on_warning: Callable[[str], None] | None = None) -> Iterator[Chunk]:
    """Stream `path` as Chunks: "-" is stdin text, a file starting with `%PDF-` is a PDF
    (whatever its name), anything else is text.

    A missing, unreadable or directory path, or a `.pdf` name on a file that is not
    a PDF, fails here, before anything is streamed; other problems surface as
    SourceError when the iterator is first advanced.
    """
    # Imported here because the submodules import Chunk and SourceError from this module.
    from .pdf import iter_pdf
    from .text import iter_text

    if path == "-":
        return iter_text("-", on_warning=on_warning)
    if os.path.isdir(path):
        raise SourceError(f"{path} is a directory; use `infini code` for repositories.")
    if not os.path.exists(path):
        raise SourceError(f"{path} does not exist.")
    with open_binary(path) as fh:
        head = fh.read(1024)
    named_pdf = path.lower().endswith(".pdf")
    # PDF readers accept a header anywhere in the first 1,024 bytes; that leniency is kept
    # for files named .pdf only, so a text file that merely mentions "%PDF-" stays text.
    if head.startswith(b"%PDF-") or (named_pdf and b"%PDF-" in head):
        return iter_pdf(path, password=password, on_warning=on_warning)
    if named_pdf:
        raise SourceError(f"{path} is named .pdf but is not a PDF (it does not start with %PDF-).")
    return iter_text(path, on_warning=on_warning)
