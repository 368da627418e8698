"""Tests for infinicli.sources: PDF and text streaming, encodings and error messages."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
)

from infinicli.sources import Chunk, SourceError, open_source
from infinicli.sources.pdf import PROBE_PAGES, iter_pdf, normalize_text, pdf_outline
from infinicli.sources.text import detect_encoding, iter_text

BOOK_DIR = Path(__file__).resolve().parents[1] / "samples" / "book"
BOOK_PDF = BOOK_DIR / "the-lighthouse-keepers-ledger.pdf"
# A real XeLaTeX (xdvipdfmx) PDF from Debian's texlive-xetex; see tests/data/README.md.
LATEX_PDF = Path(__file__).resolve().parent / "data" / "awesomebox.pdf"


def make_pdf(path: Path, pages: list[str], password: str | None = None) -> Path:
    """Write a PDF with one page per string ("" gives a page with no text at all)."""
    writer = PdfWriter()
    for text in pages:
        page = writer.add_blank_page(612, 792)
        if text:
            font = DictionaryObject({
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            })
            page[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
            )
            content = DecodedStreamObject()
            content.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
            page.replace_contents(content)
    if password is not None:
        writer.encrypt(password)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def break_page(path: Path, index: int) -> Path:
    """Point the page tree's entry for page `index` (0-based) at a number, so that page cannot load."""
    writer = PdfWriter(clone_from=str(path))
    kids = writer.root_object["/Pages"]["/Kids"]
    kids[index] = writer._add_object(NumberObject(42))
    writer.write(str(path))
    return path


def one_line(exc: pytest.ExceptionInfo[SourceError]) -> str:
    message = str(exc.value)
    assert message and "\n" not in message
    return message


# -- the sample book ---------------------------------------------------------


@pytest.fixture(scope="module")
def book_pages() -> list[Chunk]:
    assert BOOK_PDF.exists(), "run samples/make_book.py to build the sample book"
    return list(iter_pdf(str(BOOK_PDF)))


def test_sample_book_streams_page_by_page(book_pages: list[Chunk]) -> None:
    assert len(book_pages) >= 100
    assert [c.page for c in book_pages] == list(range(1, len(book_pages) + 1))
    assert all(c.origin == str(BOOK_PDF) and c.text.strip() for c in book_pages)
    assert book_pages[2].where == f"{BOOK_PDF} p.3"
    assert "CHAPTER ONE" in book_pages[2].text


def test_sample_book_contains_every_protagonist(book_pages: list[Chunk]) -> None:
    facts = json.loads((BOOK_DIR / "facts.json").read_text())
    assert len(facts["chapters"]) == 12
    for chapter in facts["chapters"]:
        first, last = chapter["pages"]
        # Names can wrap across lines, so compare with whitespace collapsed.
        text = " ".join(" ".join(c.text.split()) for c in book_pages[first - 1 : last])
        assert chapter["title"] in text
        assert chapter["protagonist"] in text
        for fact in chapter["facts"]:
            for keyword in fact["keywords"]:
                assert keyword.lower() in text.lower(), (chapter["chapter"], keyword)


def test_sample_book_outline_has_one_bookmark_per_chapter() -> None:
    facts = json.loads((BOOK_DIR / "facts.json").read_text())
    outline = pdf_outline(str(BOOK_PDF))
    assert len(outline) == len(facts["chapters"]) == 12
    for (level, title, page), chapter in zip(outline, facts["chapters"]):
        assert level == 1
        assert chapter["title"] in title
        assert page == chapter["pages"][0]
    assert outline[0][2] == facts["chapters"][0]["pages"][0]


def test_outline_nested_levels_and_absent_outlines(tmp_path: Path) -> None:
    outline = pdf_outline(str(LATEX_PDF))
    assert outline[:4] == [(1, "Introduction", 1), (1, "How to use it?", 1), (1, "Provided boxes", 1),
                           (2, "Inline boxes", 1)]
    assert [page for _, _, page in outline] == sorted(page for _, _, page in outline)
    assert pdf_outline(str(make_pdf(tmp_path / "plain.pdf", ["No bookmarks"]))) == []
    notes = tmp_path / "notes.pdf"
    notes.write_text("not a pdf")
    assert pdf_outline(str(notes)) == []
    assert pdf_outline(str(tmp_path / "missing.pdf")) == []


# -- PDF text ------------------------------------------------------------------


def test_latex_pdf_keeps_word_spaces() -> None:
    # pypdf 7.1 reads this sentence as "TheideaofadmonitionblockscomesfromtheonesyoucaneasilydowithAsciiDoc."
    chunks = list(iter_pdf(str(LATEX_PDF), on_warning=pytest.fail))
    assert [c.page for c in chunks] == list(range(1, 9))
    assert all(c.line == 1 and c.origin == str(LATEX_PDF) for c in chunks)
    first = chunks[0].text
    assert "The idea of admonition blocks comes from the ones you can easily do with AsciiDoc." in first
    # "Asci-" ends a line and "iDoc." starts the next: the hyphenation is undone.
    assert "admonition blocks from AsciiDoc." in " ".join(first.split())
    text = "".join(c.text for c in chunks)
    assert "\r" not in text and "\ufffe" not in text and "\x02" not in text
    long_words = [w for w in text.split() if w.isalpha() and len(w) > 20]
    assert long_words == []


def test_a_pdfs_pages_carry_the_width_of_a_full_line_and_a_short_line_ends_its_passage() -> None:
    from infinicli.tokens import passages_of

    chunks = list(iter_pdf(str(LATEX_PDF), on_warning=pytest.fail))
    widths = {c.width for c in chunks}
    assert len(widths) == 1 and 70 <= widths.pop() <= 90  # its prose lines run to 72-80 characters
    texts = [p.text for p in passages_of(chunks[1], "sentence")[1]]
    # a line of LaTeX between paragraphs no longer runs on into the sentence after it
    assert texts[0] == "\\tipbox{Lorem ipsum\u2026}"
    assert "Lorem ipsum dolor sit amet, consectetur adipiscing elit." in texts
    assert all(c.width is None for c in iter_text(str(BOOK_DIR / "facts.json")))


def test_running_heads_feet_and_page_numbers_are_blanked_and_their_lines_kept() -> None:
    from infinicli.sources.pdf import without_running_lines

    running = {"debian reference # / #"}  # as sources.pdf finds it on Debian Reference's pages
    page = "Debian Reference 125 / 233\n7.6 Sandbox\nMany mostly GUI applications.\n\n125\n"
    assert without_running_lines(page, running) == "\n7.6 Sandbox\nMany mostly GUI applications.\n\n\n"
    assert without_running_lines("iv\nPreface\nText here.\nPage 4", set()) == "\nPreface\nText here.\n"
    # a number inside the page, or a line that is not the page's edge, stays
    kept = "The answer\n42\nis above.\nDebian Reference 5 / 233 is the title."
    assert without_running_lines(kept, running) == kept
    # a real PDF: its page numbers are blanked, every page's lines still counted from its first
    chunks = list(iter_pdf(str(LATEX_PDF), on_warning=pytest.fail))
    assert all(c.text.rstrip().rsplit("\n", 1)[-1].strip() != str(c.page) for c in chunks)
    assert chunks[1].text.startswith("\\tipbox{Lorem ipsum")


def test_normalize_text() -> None:
    assert normalize_text("one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"
    assert normalize_text("descrip\ufffetion of it") == "description of it"
    assert normalize_text("hyphen\x02\r\nated words") == "hyphenated words"
    assert normalize_text("soft\xad\nhyphen") == "softhyphen"
    assert normalize_text("S\ufffePlus") == "S-Plus"  # a capital after the break: a real hyphen
    assert normalize_text("ends with a break\ufffe") == "ends with a break-"
    assert normalize_text("a - b, x-y") == "a - b, x-y"


def test_damaged_page_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = break_page(make_pdf(tmp_path / "torn.pdf", ["Page one", "Page two", "Page three"]), 1)
    warnings: list[str] = []
    chunks = list(iter_pdf(str(path), on_warning=warnings.append))
    assert [(c.page, c.text) for c in chunks] == [(1, "Page one"), (3, "Page three")]
    assert len(warnings) == 1 and "page 2" in warnings[0] and str(path) in warnings[0]


def test_damaged_page_warns_on_stderr_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = break_page(make_pdf(tmp_path / "torn.pdf", ["Page one", "Page two"]), 0)
    assert [c.page for c in iter_pdf(str(path))] == [2]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("warning: page 1 of ")


def test_pdf_whose_only_page_is_damaged(tmp_path: Path) -> None:
    path = break_page(make_pdf(tmp_path / "torn.pdf", ["Only page"]), 0)
    with pytest.raises(SourceError) as exc:
        list(iter_pdf(str(path), on_warning=lambda message: None))
    assert "could be read" in one_line(exc)


# -- PDF errors --------------------------------------------------------------


def test_encrypted_pdf_needs_password(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "secret.pdf", ["Hello secret world"], password="s3cret")
    with pytest.raises(SourceError) as exc:
        list(iter_pdf(str(path)))
    assert "--password" in one_line(exc)
    with pytest.raises(SourceError) as exc:
        list(iter_pdf(str(path), password="wrong"))
    assert "--password" in one_line(exc)

    chunks = list(iter_pdf(str(path), password="s3cret"))
    assert [(c.page, c.text) for c in chunks] == [(1, "Hello secret world")]


def test_blank_pdf_needs_ocr(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "scan.pdf", ["", "", ""])
    with pytest.raises(SourceError) as exc:
        list(iter_pdf(str(path)))
    assert "OCR" in one_line(exc)


def test_long_textless_pdf_fails_fast(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "scan.pdf", [""] * (PROBE_PAGES + 5) + ["late text"])
    with pytest.raises(SourceError, match="OCR"):
        list(iter_pdf(str(path)))


def test_pages_without_text_are_skipped_but_counted(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "mixed.pdf", ["", "Page two", "", "Page four"])
    assert [(c.page, c.text) for c in iter_pdf(str(path))] == [(2, "Page two"), (4, "Page four")]


def test_pdf_is_streamed_lazily(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "two.pdf", ["First", ""])
    chunks = iter_pdf(str(path))
    assert next(chunks).text == "First"


@pytest.mark.parametrize("content", [b"this is not a pdf at all\n", b"", b"%PDF-1.4\n1 0 obj\n<< /Type"])
def test_not_a_pdf(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fake.pdf"
    path.write_bytes(content)
    with pytest.raises(SourceError) as exc:
        list(iter_pdf(str(path)))
    assert str(path) in one_line(exc)


def test_pdf_without_pages(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "empty.pdf", [])
    with pytest.raises(SourceError, match="no pages"):
        list(iter_pdf(str(path)))


def test_missing_pdf(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as exc:
        list(iter_pdf(str(tmp_path / "nope.pdf")))
    assert "does not exist" in one_line(exc)


# -- text --------------------------------------------------------------------


def test_multibyte_characters_split_across_blocks(tmp_path: Path) -> None:
    # 9 ASCII bytes then a 2-byte, a 3-byte and a 4-byte character: each one
    # straddles a 10-byte block boundary somewhere.
    original = ("abcdefghi\u00e9" + "xyzxyzxy\u20ac" + "qwertyu\U0001f600") * 5
    path = tmp_path / "utf8.txt"
    path.write_text(original, encoding="utf-8")
    warnings: list[str] = []
    chunks = list(iter_text(str(path), block_chars=10, on_warning=warnings.append))
    assert len(chunks) > 5
    assert "".join(c.text for c in chunks) == original
    assert all(c.origin == str(path) and c.page is None for c in chunks)
    assert warnings == []


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_bom_encodings(tmp_path: Path, encoding: str) -> None:
    original = "Bj\u00f6rk \u2013 \u65e5\u672c\n" * 20
    path = tmp_path / "bom.txt"
    path.write_text(original, encoding=encoding)
    assert "".join(c.text for c in iter_text(str(path), block_chars=7)) == original


def test_latin1_file_with_bad_bytes_warns_once(tmp_path: Path) -> None:
    # Not UTF-8, so cp1252 is used; 0x81 and 0x8d are undefined in cp1252.
    path = tmp_path / "legacy.txt"
    path.write_bytes(b"caf\xe9 cr\xe8me \x81 " + b"x" * 50 + b" na\xefve \x8d end")
    warnings: list[str] = []
    text = "".join(c.text for c in iter_text(str(path), block_chars=16, on_warning=warnings.append))
    assert text.startswith("caf\u00e9 cr\u00e8me \ufffd ")
    assert text.endswith(" na\u00efve \ufffd end")
    assert len(warnings) == 1 and "cp1252" in warnings[0] and str(path) in warnings[0]


def test_bad_byte_after_utf8_sample_warns_once(tmp_path: Path) -> None:
    path = tmp_path / "mostly-utf8.txt"
    path.write_bytes(b"plain ascii " * 20 + b"caf\xe9 and \xff")
    warnings: list[str] = []
    text = "".join(c.text for c in iter_text(str(path), block_chars=64, on_warning=warnings.append))
    assert text.endswith("caf\ufffd and \ufffd")
    assert len(warnings) == 1 and "utf-8" in warnings[0]


def test_existing_replacement_character_is_not_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "fffd.txt"
    path.write_text("already \ufffd here", encoding="utf-8")
    warnings: list[str] = []
    assert [c.text for c in iter_text(str(path), on_warning=warnings.append)] == ["already \ufffd here"]
    assert warnings == []


def test_default_warning_is_one_stderr_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\x81\x8d\x8f\x90\x9d")
    assert "".join(c.text for c in iter_text(str(path))) == "\ufffd" * 5
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_detect_encoding() -> None:
    assert detect_encoding(b"hello", at_eof=True) == "utf-8"
    assert detect_encoding("caf\u00e9".encode()[:-1], at_eof=False) == "utf-8"  # cut mid-character
    assert detect_encoding(b"caf\xe9", at_eof=True) == "cp1252"
    assert detect_encoding(b"\xff\xfe\x00\x00abc", at_eof=True) == "utf-32"
    assert detect_encoding(b"\xff\xfeh\x00", at_eof=True) == "utf-16"


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("from a pipe \u2713\n".encode())))
    assert [(c.text, c.origin) for c in open_source("-")] == [("from a pipe \u2713\n", "-")]


def test_missing_text_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as exc:
        list(iter_text(str(tmp_path / "missing.txt")))
    assert "does not exist" in one_line(exc)


def test_unreadable_text_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod cannot be relied on (tests may run as root), so make open() refuse.
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    import infinicli.sources

    monkeypatch.setattr(infinicli.sources, "open", refuse, raising=False)
    with pytest.raises(SourceError) as exc:
        list(iter_text(str(tmp_path / "locked.txt")))
    assert "permission denied" in one_line(exc)


def test_directory_as_text(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a directory"):
        list(iter_text(str(tmp_path)))


# -- dispatch ------------------------------------------------------------------


def test_open_source_dispatches_by_path(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "Report.PDF", ["Quarterly figures"])
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n")
    assert [(c.page, c.text) for c in open_source(str(pdf))] == [(1, "Quarterly figures")]
    assert [(c.page, c.text) for c in open_source(str(notes))] == [(None, "# Notes\n")]


def test_open_source_sniffs_pdf_whatever_its_name(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "report.txt", ["Sniffed, not named"])
    assert [(c.page, c.text) for c in open_source(str(pdf))] == [(1, "Sniffed, not named")]
    text = tmp_path / "about-pdf.txt"
    text.write_text("Text that mentions %PDF- later on.\n")
    assert [(c.page, c.text) for c in open_source(str(text))] == [(None, "Text that mentions %PDF- later on.\n")]


@pytest.mark.parametrize("content", [b"plain notes, not a PDF\n", b"", b"PK\x03\x04 a zip file"])
def test_open_source_refuses_non_pdf_named_pdf(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.pdf"
    path.write_bytes(content)
    with pytest.raises(SourceError) as exc:
        open_source(str(path))
    assert str(path) in one_line(exc) and "not a PDF" in one_line(exc)


def test_open_source_accepts_junk_before_the_header_of_a_pdf_named_pdf(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "mailed.pdf", ["After a preamble"])
    pdf.write_bytes(b"\r\n" + pdf.read_bytes())
    assert [c.text for c in open_source(str(pdf))] == ["After a preamble"]


def test_open_source_passes_password(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "locked.pdf", ["Behind a password"], password="pw")
    assert [c.text for c in open_source(str(pdf), password="pw")] == ["Behind a password"]


def test_open_source_rejects_directories_and_missing_paths(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as exc:
        open_source(str(tmp_path))
    assert "infini code" in one_line(exc)
    with pytest.raises(SourceError) as exc:
        open_source(str(tmp_path / "gone.txt"))
    assert "does not exist" in one_line(exc)


BOOK = Path(__file__).resolve().parents[1] / "samples" / "books" / "alices-adventures-in-wonderland.txt"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read_as_text(tmp_path: Path, encoding: str) -> None:
    # ASCII in UTF-16 is also valid UTF-8 (a NUL every other byte); it used to be read that way.
    original = BOOK.read_text(encoding="utf-8")[:5000]
    path = tmp_path / "utf16.txt"
    path.write_bytes(original.encode(encoding))
    warnings: list[str] = []
    assert "".join(c.text for c in iter_text(str(path), block_chars=1024, on_warning=warnings.append)) == original
    assert warnings == []


@pytest.mark.parametrize(("text", "encoding"), [
    ("\u0412\u0441\u0435 \u0441\u0447\u0430\u0441\u0442\u043b\u0438\u0432\u044b\u0435 \u0441\u0435\u043c\u044c\u0438 "
     "\u043f\u043e\u0445\u043e\u0436\u0438 \u0434\u0440\u0443\u0433 \u043d\u0430 \u0434\u0440\u0443\u0433\u0430.\n",
     "cp1251"),
    ("\u00dcber die Br\u00fccke gingen M\u00e4dchen, die Stra\u00dfe war na\u00df und gr\u00fcn.\n", "cp1252"),
])
def test_legacy_codepages_are_detected(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes((text * 20).encode(encoding))
    assert "".join(c.text for c in iter_text(str(path))) == text * 20


def test_binary_data_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(SourceError, match="binary data"):
        list(iter_text(str(path)))
