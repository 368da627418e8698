"""Typeset each book's .txt in this folder to a letter-size PDF with fpdf2.

Samples-only tool (fpdf2 is not a project dependency):

    pip install fpdf2
    python samples/books/make_pdfs.py

Layout: Times (a PDF core font, not embedded), 11.5 pt on 15 pt lines, 1-inch margins,
justified prose, verse set in by half an inch, the page number centred in the footer of every
page. Page 1 has the title, author and contents; each chapter starts on a new page with its
heading as it stands in the text. The Jekyll and Hyde PDF carries one bookmark (outline entry)
per chapter; the Alice PDF carries none, so that chapters must be found from the headings.

Characters outside latin-1 (curly quotes, dashes, ellipsis) are mapped to ASCII. The creation
date is fixed, so a rebuild gives byte-identical files.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent
CREATED = datetime(2024, 1, 1, tzinfo=timezone.utc)
BOOKS = {
    "alices-adventures-in-wonderland": {"outline": False},
    "dr-jekyll-and-mr-hyde": {"outline": True},
}
ASCII = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2014": "--", "\u2013": "-", "\u2026": "...", "\u00a0": " ",
}
STARS = "*     *     *     *     *"
FONT, SIZE, LINE = "Times", 11.5, 15


def latin1(text: str) -> str:
    out = "".join(ASCII.get(c, c) for c in text)
    out.encode("latin-1")  # fails loudly on a character with no mapping
    return out


class Book(FPDF):
    def footer(self):
        self.set_y(-0.6 * 72)
        self.set_font(FONT, "", 10)
        self.cell(0, 12, str(self.page_no()), align="C")


def parse(text: str):
    """Title, author, contents entries, and the body as (kind, text) blocks."""
    blocks = text.strip("\n").split("\n\n")
    title, author = blocks[0], blocks[1]
    assert blocks[2] == "Contents", blocks[2]
    contents = [line.strip() for line in blocks[3].split("\n")]
    body = []
    for b in blocks[4:]:
        if b in contents:
            body.append(("heading", b))
        elif b == STARS:
            body.append(("stars", b))
        elif b.startswith(" "):
            body.append(("verse", b))
        else:
            body.append(("para", b))
    headings = [t for k, t in body if k == "heading"]
    assert headings == contents, (headings, contents)
    return title, author, contents, body


def build(slug: str, outline: bool) -> Path:
    title, author, contents, body = parse((HERE / f"{slug}.txt").read_text(encoding="utf-8"))
    pdf = Book(orientation="P", unit="pt", format="letter")
    pdf.set_creation_date(CREATED)
    pdf.set_title(latin1(title))
    pdf.set_author(latin1(author.removeprefix("by ")))
    pdf.set_margins(72, 72, 72)
    pdf.set_auto_page_break(True, margin=72)
    width = pdf.w - 144

    pdf.add_page()
    pdf.set_y(160)
    pdf.set_font(FONT, "B", 22)
    pdf.multi_cell(width, 28, latin1(title), align="C")
    pdf.ln(10)
    pdf.set_font(FONT, "", 14)
    pdf.multi_cell(width, 18, latin1(author), align="C")
    pdf.ln(60)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(width, 18, "Contents", align="C")
    pdf.ln(8)
    pdf.set_font(FONT, "", SIZE)
    for entry in contents:
        pdf.set_x(144)
        pdf.multi_cell(width - 72, LINE, latin1(entry), align="L")

    for kind, block in body:
        if kind == "heading":
            pdf.add_page()
            if outline:
                pdf.start_section(latin1(block), level=0)
            pdf.set_font(FONT, "B", 15)
            pdf.multi_cell(width, 20, latin1(block), align="C")
            pdf.ln(18)
            pdf.set_font(FONT, "", SIZE)
        elif kind == "stars":
            pdf.multi_cell(width, LINE, STARS, align="C")
            pdf.ln(5)
        elif kind == "verse":
            for line in block.split("\n"):
                indent = min(len(line) - len(line.lstrip(" ")), 12)
                pdf.set_x(72 + 36 + 3 * indent)
                pdf.multi_cell(width - 36 - 3 * indent, LINE, latin1(line.strip()), align="L")
            pdf.ln(5)
        else:
            pdf.multi_cell(width, LINE, latin1(block), align="J")
            pdf.ln(5)

    out = HERE / f"{slug}.pdf"
    pdf.output(str(out))
    return out


def check_pages(slug: str, pdf: Path) -> None:
    """facts.json's page ranges must still match the PDF: each chapter's first page starts with its
    heading. Needs pypdfium2; skipped without it."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return
    import json
    doc = pdfium.PdfDocument(str(pdf))
    chapters = json.loads((HERE / f"{slug}.facts.json").read_text())["chapters"]
    for ch in chapters:
        first = doc[ch["pages"][0] - 1].get_textpage().get_text_range().strip().splitlines()[0].strip()
        if first != latin1(ch["title"]):
            print(f"  facts.json pages out of date: chapter {ch['chapter']} page {ch['pages'][0]} starts {first!r}")
    if chapters[-1]["pages"][1] != len(doc):
        print(f"  facts.json pages out of date: last page is {len(doc)}")


if __name__ == "__main__":
    for slug, opts in BOOKS.items():
        path = build(slug, opts["outline"])
        print(path.name, path.stat().st_size, "bytes")
        check_pages(slug, path)
