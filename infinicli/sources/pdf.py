"""PDF source: stream a PDF's text layer page by page with pypdf.

Only one page's text is held at a time. Pages without text are skipped (their
numbers are still counted, so every Chunk carries its real 1-based page number).
Errors surface as SourceError when the generator is first advanced.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from . import Chunk, SourceError, open_binary

# A scanned PDF can run to hundreds of image-only pages; give up after this many
# leading pages without text instead of walking the whole file to say "no text".
PROBE_PAGES = 10

# pypdf logs recoverable problems ("EOF marker not found") as warnings; without this,
# an app that never configured logging prints them raw next to our own message.
# Apps that do configure logging still receive them through propagation.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


def iter_pdf(path: str, password: str | None = None) -> Iterator[Chunk]:
    """Yield one Chunk per page that has text, in page order."""
    fh = open_binary(path)

    # Passing the open file (not the path) lets pypdf read objects on demand
    # instead of copying the whole file into memory first.
    with fh:
        reader = _open_reader(fh, path, password)
        page_count = _page_count(reader, path)
        if page_count == 0:
            raise SourceError(f"{path} has no pages.")
        found_text = False
        for index in range(page_count):
            text = _page_text(reader, index, path)
            if text.strip():
                found_text = True
                yield Chunk(text=text, origin=path, page=index + 1)
            elif not found_text and index + 1 >= PROBE_PAGES:
                break
        if not found_text:
            raise SourceError(
                f"{path} has no text layer (it looks scanned or image-only) and needs OCR, "
                "which infini does not do."
            )


def _open_reader(fh: BinaryIO, path: str, password: str | None) -> PdfReader:
    try:
        reader = PdfReader(fh, strict=False)
        if reader.is_encrypted and password is not None:
            if not reader.decrypt(password):
                raise SourceError(f"The password given with --password does not open {path}.")
    except SourceError:
        raise
    except DependencyError:
        raise _needs_cryptography(path) from None
    except Exception as exc:
        # pypdf raises assorted exception types on malformed input, not only PdfReadError.
        raise _unreadable(path, exc) from exc
    return reader


def _page_count(reader: PdfReader, path: str) -> int:
    try:
        return len(reader.pages)
    except FileNotDecryptedError:
        raise _needs_password(path) from None
    except Exception as exc:
        raise _unreadable(path, exc) from exc


def _page_text(reader: PdfReader, index: int, path: str) -> str:
    try:
        return reader.pages[index].extract_text()
    except FileNotDecryptedError:
        raise _needs_password(path) from None
    except DependencyError:
        raise _needs_cryptography(path) from None
    except Exception as exc:
        raise SourceError(f"Page {index + 1} of {path} could not be read ({_brief(exc)}).") from exc


def _needs_password(path: str) -> SourceError:
    return SourceError(f"{path} is encrypted; pass its password with --password.")


def _needs_cryptography(path: str) -> SourceError:
    return SourceError(f"{path} uses AES encryption, which needs the `cryptography` package (pip install cryptography).")


def _unreadable(path: str, exc: Exception) -> SourceError:
    # By name: LimitReachedError is missing from the older pypdf releases we allow.
    if type(exc).__name__ == "LimitReachedError":
        return SourceError(f"{path} exceeds one of pypdf's safety limits and was not read ({_brief(exc)}).")
    return SourceError(f"{path} is not a readable PDF ({_brief(exc)}).")


def _brief(exc: Exception) -> str:
    text = str(exc).strip().rstrip(".") or type(exc).__name__
    return text.splitlines()[0][:160]
