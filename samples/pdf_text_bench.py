"""Compare PDF text extractors on real PDFs: speed, failing pages, and words run together.

    python samples/pdf_text_bench.py A.pdf B.pdf ... [--json OUT.json] [--words /usr/share/dict/words]

Extractors, each run over every page of every PDF:

- pypdf: `PdfReader(path).pages[i].extract_text()` (pypdf's default layout mode);
- pdfium: pypdfium2's `get_textpage().get_text_bounded()` (the whole page), raw;
- infinicli: `infinicli.sources.pdf.iter_pdf`, i.e. PDFium plus infinicli's clean-up
  (line ends, hyphenated line breaks joined).

Seconds per page count everything from opening the file to the last page's text.
A page "fails" when extracting it raises (for infinicli: when it warns and skips it).

Merged-word rule (the same for every extractor): split the text on whitespace,
strip leading and trailing punctuation from each token, and keep the tokens made
only of ASCII letters; these are the "words". A word is "merged" when its lower-case
form is not in the word list but can be cut into two or more word-list words
(the split may only use list words of 3+ letters and a fixed set of common 1-2
letter words, so that "a", "b", "c"... do not explain everything). Identifiers,
abbreviations and names that happen to split (e.g. "gettext") count as merged for
every extractor alike, so the extractor with the fewest is the floor, not zero.
A second, cruder count needs no word list: words of more than 20 letters ("long").

The markdown table goes to stdout, the full results (with example merged words)
to the JSON file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import re
import string
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

SHORT_WORDS = frozenset(
    "a i am an as at be by do go he if in is it me my no of oh on or so to up us we".split()
)
_STRIP = string.punctuation + "\u2018\u2019\u201c\u201d\u00ab\u00bb\u2013\u2014\u2026"
_ALPHA = re.compile(r"[A-Za-z]+")
MAX_PART = 24  # longest word-list part tried, which bounds the split search


def load_words(path: str) -> frozenset[str]:
    words = set()
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            word = line.strip().lower()
            if _ALPHA.fullmatch(word):
                words.add(word)
    return frozenset(words)


class MergeCounter:
    def __init__(self, words: frozenset[str]) -> None:
        self.words = words
        self.parts = frozenset(w for w in words if len(w) >= 3) | SHORT_WORDS
        self.is_merged = lru_cache(maxsize=None)(self._is_merged)

    def _is_merged(self, word: str) -> bool:
        if word in self.words:
            return False
        n = len(word)
        # fewest[i]: fewest list words that make up word[:i] (None: cannot be made).
        fewest: list[int | None] = [0] + [None] * n
        for end in range(1, n + 1):
            for start in range(max(0, end - MAX_PART), end):
                if fewest[start] is not None and word[start:end] in self.parts:
                    count = fewest[start] + 1
                    if fewest[end] is None or count < fewest[end]:
                        fewest[end] = count
        return fewest[n] is not None and fewest[n] >= 2

    def count(self, text: str, merged_seen: Counter) -> tuple[int, int, int]:
        """(words, merged words, words of more than 20 letters) in `text`."""
        words = merged = long = 0
        for token in text.split():
            token = token.strip(_STRIP)
            if not _ALPHA.fullmatch(token):
                continue
            words += 1
            long += len(token) > 20
            if self.is_merged(token.lower()):
                merged += 1
                merged_seen[token] += 1
        return words, merged, long


def pypdf_pages(path: str) -> Iterator[tuple[int, str | Exception]]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    for index in range(len(reader.pages)):
        try:
            yield index + 1, reader.pages[index].extract_text()
        except Exception as exc:  # a failing page is what is being measured
            yield index + 1, exc


def pdfium_pages(path: str) -> Iterator[tuple[int, str | Exception]]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        for index in range(len(pdf)):
            try:
                page = pdf[index]
                textpage = page.get_textpage()
                text = textpage.get_text_bounded()
                textpage.close()
                page.close()
                yield index + 1, text
            except Exception as exc:
                yield index + 1, exc
    finally:
        pdf.close()


def infinicli_pages(path: str) -> Iterator[tuple[int, str | Exception]]:
    from infinicli.sources.pdf import iter_pdf

    warnings: list[str] = []
    for chunk in iter_pdf(path, on_warning=warnings.append):
        while warnings:
            yield -1, RuntimeError(warnings.pop(0))
        yield chunk.page, chunk.text
    for message in warnings:
        yield -1, RuntimeError(message)


EXTRACTORS: dict[str, Callable[[str], Iterator[tuple[int, str | Exception]]]] = {
    "pypdf": pypdf_pages,
    "pdfium": pdfium_pages,
    "infinicli": infinicli_pages,
}


def pdf_info(path: str) -> dict:
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    meta = PdfReader(path).metadata or {}
    pdf = pdfium.PdfDocument(path)
    try:
        pages = len(pdf)
    finally:
        pdf.close()
    with open(path, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    return {
        "file": os.path.basename(path),
        "path": path,
        "sha256": digest,
        "bytes": os.path.getsize(path),
        "pages": pages,
        "producer": str(meta.get("/Producer", "")) or None,
        "creator": str(meta.get("/Creator", "")) or None,
    }


def measure(path: str, name: str, counter: MergeCounter) -> dict:
    seen: Counter = Counter()
    failed: list[str] = []
    words = merged = long = pages_with_text = 0
    start = time.perf_counter()
    try:
        for page, text in EXTRACTORS[name](path):
            if isinstance(text, Exception):
                failed.append(f"p.{page}: {type(text).__name__}: {str(text)[:120]}")
                continue
            if text.strip():
                pages_with_text += 1
            w, m, n = counter.count(text, seen)
            words += w
            merged += m
            long += n
    except Exception as exc:
        failed.append(f"document: {type(exc).__name__}: {str(exc)[:120]}")
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 3),
        "pages_with_text": pages_with_text,
        "failed_pages": failed,
        "words": words,
        "merged": merged,
        "merged_per_1000": round(1000 * merged / words, 2) if words else None,
        "long": long,
        "long_per_1000": round(1000 * long / words, 2) if words else None,
        "top_merged": [w for w, _ in seen.most_common(12)],
    }


def table(results: list[dict], extractors: list[str]) -> str:
    lines = [
        "| PDF | producer | pages | extractor | s/page | failed pages | words | merged / 1,000 | long / 1,000 |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for doc in results:
        for name in extractors:
            r = doc["extractors"][name]
            per_page = r["seconds"] / doc["pages"] if doc["pages"] else 0.0
            lines.append(
                f"| {doc['file']} | {doc['producer'] or '?'} | {doc['pages']} | {name} | {per_page:.4f} "
                f"| {len(r['failed_pages'])} | {r['words']:,} | {r['merged_per_1000']} | {r['long_per_1000']} |"
            )
    lines.append("")
    lines.append("| extractor | pages | total s | s/page | failed pages | words | merged / 1,000 | long / 1,000 |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    total_pages = sum(doc["pages"] for doc in results)
    for name in extractors:
        seconds = sum(doc["extractors"][name]["seconds"] for doc in results)
        failed = sum(len(doc["extractors"][name]["failed_pages"]) for doc in results)
        words = sum(doc["extractors"][name]["words"] for doc in results)
        merged = sum(doc["extractors"][name]["merged"] for doc in results)
        long = sum(doc["extractors"][name]["long"] for doc in results)
        lines.append(
            f"| {name} | {total_pages} | {seconds:.2f} | {seconds / max(total_pages, 1):.4f} | {failed} "
            f"| {words:,} | {1000 * merged / max(words, 1):.2f} | {1000 * long / max(words, 1):.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdfs", nargs="+", help="PDF files to extract")
    parser.add_argument("--json", default="pdf-text-results.json", help="where to write the results")
    parser.add_argument("--words", default="/usr/share/dict/words", help="word list, one word a line")
    parser.add_argument("--extractors", default=",".join(EXTRACTORS), help="comma-separated subset")
    args = parser.parse_args(argv)

    # pypdf logs recoverable damage as warnings; the failures that matter are counted.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    extractors = [name.strip() for name in args.extractors.split(",") if name.strip()]
    counter = MergeCounter(load_words(args.words))
    results = []
    for path in args.pdfs:
        doc = pdf_info(path)
        doc["extractors"] = {}
        for name in extractors:
            print(f"{doc['file']}: {name}...", file=sys.stderr, flush=True)
            doc["extractors"][name] = measure(path, name, counter)
        results.append(doc)

    import pypdf
    import pypdfium2

    report = {
        "merged_rule": (
            "ASCII-alphabetic whitespace token (surrounding punctuation stripped) not in the word list "
            "that splits into 2+ word-list words of 3+ letters or common 1-2 letter words"
        ),
        "long_rule": "ASCII-alphabetic whitespace token (surrounding punctuation stripped) of more than 20 letters",
        "word_list": {"path": args.words, "entries": len(counter.words)},
        "versions": {
            "python": platform.python_version(),
            "pypdf": pypdf.__version__,
            "pypdfium2": str(pypdfium2.PYPDFIUM_INFO),
            "pdfium": str(pypdfium2.PDFIUM_INFO),
        },
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        "results": results,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(table(results, extractors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
