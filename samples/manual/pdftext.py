"""Page text of a PDF as PDFium extracts it, shared by the scripts in samples/manual/."""

from __future__ import annotations

from pathlib import Path

import pypdfium2


def page_texts(path: str | Path) -> list[str]:
    """One string per page: PDFium's text layer with CRLF line ends turned into LF.

    Nothing else is changed: PDFium joins a line that ends in a hyphenated word to the
    next one and leaves U+FFFE where the hyphen was, and such lines are kept as they are.
    """
    doc = pypdfium2.PdfDocument(str(path))
    try:
        texts = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range().replace("\r\n", "\n"))
            textpage.close()
            page.close()
        return texts
    finally:
        doc.close()
