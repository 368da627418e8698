"""PDF source: stream a PDF's text layer page by page with PDFium (pypdfium2).

PDFium keeps the spaces between words on XeLaTeX- and groff-made PDFs, where
pypdf runs them together, and is over ten times faster (samples/bench/pdf-text).
PDFium is not thread-safe: read one PDF at a time.

Only one page is loaded at a time. Pages without text are skipped (their
numbers are still counted, so every Chunk carries its real 1-based page number).
A page PDFium cannot load is skipped with a warning; errors about the whole
document surface as SourceError when the generator is first advanced.
"""

from __future__ import annotations

import ctypes
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from . import Chunk, SourceError, open_binary

# A scanned PDF can run to hundreds of image-only pages; give up after this many
# leading pages without text instead of walking the whole file to say "no text".
PROBE_PAGES = 10

# Outlines are user data: a deep or looping bookmark tree must not recurse forever.
_MAX_OUTLINE_DEPTH = 32

# PDFium marks a hyphen that TeX (or another typesetter) put at a line break with
# U+0002 (U+FFFE from some text calls) and usually drops the line break after it;
# a soft hyphen U+00AD can stand there too. Between two letters the break is
# undone: the word is joined, keeping the hyphen only before a capital
# ("S-Plus"), since a lower-case continuation is almost always hyphenation.
_BREAK_HYPHEN = re.compile(r"(?<=\w)[\x02\xad\ufffe](?:\r\n|\r|\n)?[ \t]*(?=(\w))")
_LEFTOVER_HYPHEN = re.compile(r"[\x02\ufffe]")
_LINE_END = re.compile(r"\r\n?")

# The document's layout, from up to LAYOUT_PAGES pages spread over it. The length of a full line of its
# text (Chunk.width): the 90th percentile of their lines' lengths, pooled, so that a page of tables or
# code lines counts no more than its share; fewer than WIDTH_LINES lines tell nothing. Its running heads
# and feet: a page's first or last line that, its numbers aside, is the first or last line of at least
# RUNNING_PAGES of them ("Debian Reference 5 / 233", "dot User's Manual, January 5, 2015 6"), or of a
# RUNNING_SHARE of them without a number; and a page number alone ("6", "Page 6", "iv", "5 / 233").
# They are blanked (their lines still counted, so that a passage's line stays the page's): as text
# they ran on into the sentence a page broke ("... went from white to blue, and 18 Jonah stopped ...").
LAYOUT_PAGES = 24
WIDTH_LINES = 40
RUNNING_PAGES = 3
RUNNING_SHARE = 0.3
EDGE_LINES = 2  # at most this many lines are blanked at each edge of a page
_PAGE_NUMBER = re.compile(r"(?:page\s+)?(?:\d{1,5}|[ivxlcdm]{1,8})(?:\s*(?:/|of)\s*\d{1,5})?", re.IGNORECASE)


def _warn_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def iter_pdf(
    path: str,
    password: str | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Iterator[Chunk]:
    """Yield one Chunk per page that has text, in page order."""
    warn = on_warning or _warn_stderr
    pdf = _open_document(path, password)
    try:
        page_count = len(pdf)
        if page_count == 0:
            raise SourceError(f"{path} has no pages.")
        found_text = False
        failed = 0
        width, running, sampled = _layout(pdf, page_count)
        for index in range(page_count):
            try:
                page = sampled.pop(index) if index in sampled else normalize_text(_page_text(pdf, index))
                text = without_running_lines(page, running)
            except pdfium.PdfiumError as exc:
                failed += 1
                warn(f"page {index + 1} of {path} could not be read and was skipped ({_brief(exc)}).")
                continue
            if text.strip():
                found_text = True
                yield Chunk(text=text, origin=path, page=index + 1, line=1, width=width)
            elif not found_text and index + 1 >= PROBE_PAGES:
                break
        if not found_text:
            if failed == page_count:
                raise SourceError(f"None of the {page_count} pages of {path} could be read.")
            raise SourceError(
                f"{path} has no text layer (it looks scanned or image-only) and needs OCR, "
                "which infini does not do."
            )
    finally:
        pdf.close()


def _layout(pdf: pdfium.PdfDocument, page_count: int) -> tuple[int | None, set[str], dict[int, str]]:
    """The length in characters of a full line of text, and the running heads and feet (as _edge_key
    gives them), from up to LAYOUT_PAGES pages spread evenly; and those pages' text (normalize_text's),
    so that reading them in turn does not extract them again."""
    lengths: list[int] = []
    edges: Counter = Counter()
    texts: dict[int, str] = {}
    for index in sorted({i * page_count // LAYOUT_PAGES for i in range(LAYOUT_PAGES)}):
        try:
            texts[index] = normalize_text(_page_text(pdf, index))
        except pdfium.PdfiumError:
            continue
        lines = [x.strip() for x in texts[index].split("\n") if x.strip()]
        lengths += [len(x) for x in lines]
        edges.update({_edge_key(x) for x in lines[:EDGE_LINES] + lines[-EDGE_LINES:]})
    lengths.sort()
    width = lengths[int(0.9 * len(lengths))] if len(lengths) >= WIDTH_LINES else None
    running = {k for k, n in edges.items()
               if n >= RUNNING_PAGES and ("#" in k or n >= RUNNING_SHARE * len(texts))}
    return width, running, texts


def _edge_key(line: str) -> str:
    """A line as its running head repeats it: lower case, each number (arabic, or roman at its end) as #."""
    return re.sub(r"\b[ivxlcdm]+$", "#", re.sub(r"\d+", "#", " ".join(line.lower().split())))


def without_running_lines(text: str, running: set[str]) -> str:
    """A page's text with its running head and foot and its page number blanked (see LAYOUT_PAGES)."""
    lines = text.split("\n")
    body = [i for i, x in enumerate(lines) if x.strip()]
    for edge in (body[:EDGE_LINES], body[::-1][:EDGE_LINES]):
        for i in edge:
            x = lines[i].strip()
            if not (_PAGE_NUMBER.fullmatch(x) or _edge_key(x) in running):
                break
            lines[i] = ""
    return "\n".join(lines)


def normalize_text(text: str) -> str:
    """PDFium's page text with "\\n" line ends and words hyphenated across lines joined."""
    text = _BREAK_HYPHEN.sub(lambda m: "-" if m.group(1).isupper() else "", text)
    text = _LEFTOVER_HYPHEN.sub("-", text)
    return _LINE_END.sub("\n", text)


def pdf_outline(path: str, password: str | None = None) -> list[tuple[int, str, int]]:
    """The PDF's bookmarks as (level, title, page) in document order; level 1 is the top.

    Pages are 1-based. Bookmarks that lead to no page of this document (links,
    broken destinations) are left out. A PDF without bookmarks, or one that
    cannot be opened, gives an empty list.
    """
    try:
        pdf = _open_document(path, password)
    except SourceError:
        return []
    try:
        outline: list[tuple[int, str, int]] = []
        _walk_outline(pdf, None, 1, outline, set())
        return outline
    except Exception:
        return []
    finally:
        pdf.close()


def _walk_outline(pdf: pdfium.PdfDocument, parent, level: int, out: list, seen: set[int]) -> None:
    # The raw API is used because pypdfium2's bookmark helpers changed between
    # major versions and do not follow bookmarks that jump through a GoTo action.
    bookmark = pdfium_c.FPDFBookmark_GetFirstChild(pdf.raw, parent)
    while bookmark:
        address = ctypes.addressof(bookmark.contents)
        if address in seen:  # a sibling or child loop in a damaged outline
            return
        seen.add(address)
        page = _bookmark_page(pdf, bookmark)
        if page is not None:
            out.append((level, _bookmark_title(bookmark), page))
        if level < _MAX_OUTLINE_DEPTH:
            _walk_outline(pdf, bookmark, level + 1, out, seen)
        bookmark = pdfium_c.FPDFBookmark_GetNextSibling(pdf.raw, bookmark)


def _bookmark_title(bookmark) -> str:
    size = pdfium_c.FPDFBookmark_GetTitle(bookmark, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFBookmark_GetTitle(bookmark, buffer, size)
    return " ".join(buffer.raw[: size - 2].decode("utf-16-le", errors="replace").split())


def _bookmark_page(pdf: pdfium.PdfDocument, bookmark) -> int | None:
    dest = pdfium_c.FPDFBookmark_GetDest(pdf.raw, bookmark)
    if not dest:
        action = pdfium_c.FPDFBookmark_GetAction(bookmark)
        if not action or pdfium_c.FPDFAction_GetType(action) != pdfium_c.PDFACTION_GOTO:
            return None
        dest = pdfium_c.FPDFAction_GetDest(pdf.raw, action)
        if not dest:
            return None
    index = pdfium_c.FPDFDest_GetDestPageIndex(pdf.raw, dest)
    return index + 1 if 0 <= index < len(pdf) else None


def _open_document(path: str, password: str | None) -> pdfium.PdfDocument:
    # Opening through open_binary first gives the usual one-sentence messages for
    # a missing, unreadable or directory path; PDFium then reads the file itself,
    # on demand, without copying it into memory.
    open_binary(path).close()
    try:
        return pdfium.PdfDocument(path, password=password)
    except pdfium.PdfiumError as exc:
        # pypdfium2 4 does not attach the error code to the exception; PDFium still holds it.
        code = getattr(exc, "err_code", None)
        if code is None:
            code = pdfium_c.FPDF_GetLastError()
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            if password is None:
                raise SourceError(f"{path} is encrypted; pass its password with --password.") from None
            raise SourceError(f"The password given with --password does not open {path}.") from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise SourceError(f"{path} uses an encryption scheme PDFium does not support.") from None
        if code == pdfium_c.FPDF_ERR_FORMAT:
            # PDFium reports a PDF whose page tree is empty as a format error too.
            raise SourceError(f"{path} is not a readable PDF: it is damaged or has no pages.") from None
        raise SourceError(f"{path} is not a readable PDF ({_brief(exc)}).") from None


def _page_text(pdf: pdfium.PdfDocument, index: int) -> str:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            # Not get_text_range(): it is limited to UCS-2, and pypdfium2 4.28+ redirects
            # its default call here with a warning.
            return textpage.get_text_bounded()
        finally:
            textpage.close()
    finally:
        page.close()


def _brief(exc: Exception) -> str:
    text = str(exc).strip().rstrip(".") or type(exc).__name__
    return text.splitlines()[0][:160]
