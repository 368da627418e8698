"""Sources: turn a file, a directory or stdin into a stream of text chunks that remember their origin."""

from __future__ import annotations

import os
import stat
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
    width: int | None = None  # typeset text (a PDF's): the length of a full line, in characters

    @property
    def where(self) -> str:
        return f"{self.origin} p.{self.page}" if self.page is not None else self.origin


class SourceError(InfiniError):
    """An input that cannot be read; the message is one sentence for the user."""


_NOT_A_FILE = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
               (stat.S_ISSOCK, "a socket"))


def _refuse_non_regular(path: str, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise SourceError(f"{path} is a directory; use `infini code` for repositories.")
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _NOT_A_FILE if test(mode)), "a special file")
        raise SourceError(f"{path} is {kind}, not a regular file; give a file, or - to read stdin.")


def check_input(path: str) -> None:
    """Refuse at once an input that is missing or unreadable or is not a regular file ("-", stdin, is
    allowed): a named pipe would block, a device like /dev/zero never ends, a directory is a repository."""
    if path == "-":
        return
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise _unreadable(path, exc) from None
    _refuse_non_regular(path, mode)


def _unreadable(path: str, exc: OSError) -> SourceError:
    """The one sentence for an input the OS would not open."""
    if isinstance(exc, FileNotFoundError):
        return SourceError(f"{path} does not exist.")
    if isinstance(exc, IsADirectoryError):
        return SourceError(f"{path} is a directory; use `infini code` for repositories.")
    if isinstance(exc, PermissionError):
        return SourceError(f"{path} cannot be read (permission denied).")
    return SourceError(f"{path} cannot be read ({exc.strerror or exc}).")


def open_binary(path: str) -> BinaryIO:
    """Open a user's regular file for reading, turning OS errors into one-sentence SourceErrors.

    The file is opened without blocking and checked as opened, so a named pipe or device put in
    its place after check_input is refused too, not waited on."""
    nonblock = getattr(os, "O_NONBLOCK", 0)
    try:
        fh = open(path, "rb", opener=lambda name, flags: os.open(name, flags | nonblock))
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        _refuse_non_regular(path, os.fstat(fh.fileno()).st_mode)
        if nonblock:
            os.set_blocking(fh.fileno(), True)
    except BaseException:
        fh.close()
        raise
    return fh


def file_sha256(path: str) -> str:
    """sha256 of a user's regular file, read as open_binary opens it (a pipe or device refused, not
    waited on); OS errors are one-sentence SourceErrors."""
    import hashlib

    h = hashlib.sha256()
    with open_binary(path) as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _is_pdf(path: str, head: bytes) -> bool:
    """Whether a file whose first 1,024 bytes are `head` is read as a PDF. PDF readers accept a header
    anywhere in those bytes; that leniency is kept for files named .pdf only, so a text file that merely
    mentions "%PDF-" stays text."""
    return head.startswith(b"%PDF-") or (path.lower().endswith(".pdf") and b"%PDF-" in head)


def open_source(path: str, password: str | None = None,
                on_warning: Callable[[str], None] | None = None) -> Iterator[Chunk]:
    """Stream `path` as Chunks: "-" is stdin text, a file starting with `%PDF-` is a PDF
    (whatever its name), anything else is text.

    A missing or unreadable path, one that is not a regular file (a directory, named pipe or
    device), a `.pdf` name on a file that is not a PDF, or binary data, fails here, before
    anything is streamed; other problems surface as SourceError when the iterator is first advanced.
    """
    # Imported here because the submodules import Chunk and SourceError from this module.
    from .pdf import iter_pdf
    from .text import detect_encoding, iter_text

    if path == "-":
        return iter_text("-", on_warning=on_warning)
    check_input(path)
    with open_binary(path) as fh:
        head = fh.read(1024)
    if _is_pdf(path, head):
        return iter_pdf(path, password=password, on_warning=on_warning)
    if path.lower().endswith(".pdf"):
        raise SourceError(f"{path} is named .pdf but is not a PDF (it does not start with %PDF-).")
    if detect_encoding(head, at_eof=len(head) < 1024) is None:
        raise SourceError(f"{path} is binary data, not text or a PDF.")
    return iter_text(path, on_warning=on_warning)


def outline_entries(path: str, password: str | None = None) -> list[tuple[int, int, str]]:
    """(depth below the outline's top level, first page, title) of each entry, in the outline's order, for
    a file open_source reads as a PDF that has one; [] for anything else."""
    if path == "-":
        return []
    try:
        with open(path, "rb") as f:
            if not _is_pdf(path, f.read(1024)):
                return []
    except OSError:
        return []
    from infinicli.sources.pdf import pdf_outline

    entries = pdf_outline(path, password)
    if not entries:
        return []
    top = min(level for level, _, _ in entries)
    return [(level - top, page, " ".join(title.split())) for level, title, page in entries]


def by_first_page(entries: list[tuple[int, int, str]], depth: int = 0) -> dict[int, str]:
    """First page -> title of the first entry `depth` levels below the top that starts there."""
    out: dict[int, str] = {}
    for level, page, title in entries:
        if level == depth:
            out.setdefault(page, title)
    return out


def top_outline(path: str, password: str | None = None) -> dict[int, str]:
    """First page -> title of the outline's top level (the first entry on a page), for a file open_source
    reads as a PDF that has one; {} for anything else."""
    return by_first_page(outline_entries(path, password))
