"""Write questions.json for the R-admin manual (samples/manual/manual.pdf).

Each question below names its page and a fragment of its answer line. This script finds
that fragment in the page text as PDFium extracts it (the fragment must occur on exactly
one line of the page), and stores the whole line, its number on the page, and the depth.
It also checks that every answer keyword occurs in that line, so the set cannot drift
from the PDF silently.

infini itself reads PDFs with pypdf, whose line breaks differ on some pages. Each answer
line is also looked up, verbatim, in the page text infini's own reader yields, and its
line number there is stored as infini_line (the numbering `infini ask --json` quotes use).

    python samples/manual/make_questions.py
"""

from __future__ import annotations

import json
from pathlib import Path

from pdftext import page_texts

HERE = Path(__file__).resolve().parent

# (question, answer_keywords, page, fragment of the answer line, kind)
# kind "lexical": the question reuses words of the answer line;
# kind "paraphrase": it asks in other words, so word overlap is small.
QUESTIONS = [
    (
        "When extracting the R sources as the superuser, which tar flag avoids the flood of "
        "warnings about changing file ownership?",
        ["no-same-owner"], 6, "tar --no-same-owner -xf", "paraphrase",
    ),
    (
        "Is installing R into a directory whose path contains spaces supported?",
        ["not supported"], 13, "whose path contains spaces is not supported", "lexical",
    ),
    (
        "Which release of the GNU compiler collection ships in the toolchain used to build "
        "R's Windows binaries?",
        ["10.3.0"], 22, "GCC version 10.3.0", "paraphrase",
    ),
    (
        "How can R be started so that it attaches nothing but the base package?",
        ["R_DEFAULT_PACKAGES", "NULL"], 29, "Setting R_DEFAULT_PACKAGES=NULL", "paraphrase",
    ),
    (
        "What is the simplest way to set up the PACKAGES file of a package repository?",
        ["write_PACKAGES"], 38, "use function write_PACKAGES", "lexical",
    ),
    (
        "How do you explicitly configure R without X11?",
        ["with-x=no"], 46, "using --with-x=no", "lexical",
    ),
    (
        "Which option must R be configured with to use FlexiBLAS on Fedora?",
        ["with-blas=flexiblas"], 54, "--with-blas=flexiblas", "lexical",
    ),
    (
        "How can I build R so that its messages are never translated into other languages?",
        ["disable-nls"], 61, "option --disable-nls", "paraphrase",
    ),
    (
        "When compiling R on a Mac, which configure switch drops the native macOS GUI "
        "integration?",
        ["without-aqua"], 72, "Use --without-aqua", "paraphrase",
    ),
    (
        "Which configure variable holds the flags used to compile the LAPACK file dlamc.f?",
        ["SAFE_FFLAGS"], 82, "Set the configure variable SAFE_FFLAGS", "lexical",
    ),
]

BROAD = [
    (
        "What is this document about?",
        ["install", "package", "Windows", "macOS"],
        "The R Installation and Administration manual: obtaining, building and installing R "
        "on Unix-alikes, Windows and macOS, managing add-on packages, locales, and the "
        "libraries and configure options R needs.",
    ),
    (
        "Which operating systems does this manual give installation instructions for?",
        ["Unix", "Linux", "Windows", "macOS"],
        "Unix-alikes (Linux above all, with notes on FreeBSD, OpenBSD and others), Windows "
        "and macOS.",
    ),
]


def infini_pages(pdf: Path) -> dict[int, str]:
    """Page text as infini's PDF source yields it (pypdf)."""
    from infinicli.sources.pdf import iter_pdf

    return {c.page: c.text for c in iter_pdf(str(pdf))}


def main() -> None:
    pdf = HERE / "manual.pdf"
    pages = page_texts(pdf)
    theirs = infini_pages(pdf)
    n = len(pages)
    items = []
    for question, keywords, page, fragment, kind in QUESTIONS:
        lines = pages[page - 1].split("\n")
        hits = [i for i, line in enumerate(lines) if fragment in line]
        if len(hits) != 1:
            raise SystemExit(f"page {page}: {fragment!r} is on {len(hits)} lines, want 1")
        line_text = lines[hits[0]]
        for kw in keywords:
            if kw.lower() not in line_text.lower():
                raise SystemExit(f"page {page}: keyword {kw!r} not in {line_text!r}")
        their_lines = theirs.get(page, "").split("\n")
        if line_text not in their_lines:
            raise SystemExit(f"page {page}: infini's reader does not give {line_text!r}")
        items.append({
            "question": question,
            "answer_keywords": keywords,
            "page": page,
            "line": hits[0] + 1,
            "infini_line": their_lines.index(line_text) + 1,
            "line_text": line_text,
            "depth": round(page / n, 3),
            "kind": kind,
        })
    for question, keywords, summary in BROAD:
        items.append({
            "question": question,
            "answer_keywords": keywords,
            "broad": True,
            "reference_answer": summary,
        })
    doc = {
        "about": (
            "Questions for `infini ask` on samples/manual/manual.pdf (R Installation and "
            "Administration, R 4.2.2 Patched, from Debian's r-doc-pdf 4.2.2.20221110-2). "
            "An answer is right when it contains every answer keyword (case-insensitive). "
            "page is 1-based in the PDF (not the printed page number); line is the 1-based "
            "line of that page's PDFium text (get_text_range, CRLF turned into LF); depth is "
            "page / pages; infini_line is the number of the same line in the page text infini's own "
            "PDF reader (pypdf) yields, which differs on some pages. Broad questions have no "
            "single answer line."
        ),
        "pdf": "manual.pdf",
        "pages": n,
        "questions": items,
    }
    out = HERE / "questions.json"
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(items)} questions)")


if __name__ == "__main__":
    main()
