"""Build a natural-text haystack with one sentence-long needle, for `infini ask` recall tests.

    python samples/make_haystack.py --tokens 32000 --depth 0.5 --out /tmp/haystack.txt

The hay is the sample book's own prose (written for this project), taken paragraph by paragraph
from a seeded starting chapter and wrapped around when a haystack is longer than the book; the
needle (one of three sentences, --needle) is inserted between two paragraphs at the requested
depth. It prints the question, the expected answer and the answer's start as JSON. Lengths are counted with the default model's tokenizer when it is cached,
else estimated at 1.35 tokens per word.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
# (needle, question, the answer's start for --answer-prefix); none is a calibration needle (heads.py)
NEEDLES = [
    ("Nobody else knew it, but the harbour master's strongbox opened only with the code {code}.",
     "What code opens the harbour master's strongbox?", "The code is"),
    ("The schoolteacher told only her sister that her bicycle lock opened with the number {code}.",
     "What number opens the schoolteacher's bicycle lock?", "The number is"),
    ("That winter the lighthouse board paid the carpenter {code} shillings for mending the boathouse roof.",
     "How many shillings did the board pay the carpenter for the boathouse roof?", "The board paid"),
]


def counter():
    try:
        from infinicli import model_store
        from infinicli.tokenizer import Tokenizer

        if model_store.is_pulled(model_store.DEFAULT_MODEL):
            from transformers import AutoTokenizer

            hf_dir = model_store.model_dir(model_store.DEFAULT_MODEL) / "hf"
            tok = Tokenizer(AutoTokenizer.from_pretrained(str(hf_dir)))
            return lambda text: len(tok.encode(text))
    except Exception:
        pass
    return lambda text: round(len(text.split()) * 1.35)


def build(tokens: int, depth: float, seed: int, needle: int = 0) -> tuple[str, dict]:
    book = (HERE / "book" / "the-lighthouse-keepers-ledger.txt").read_text()
    paragraphs = [p.strip() for p in book.split("\n\n") if len(p.split()) > 20]
    rng = random.Random(seed)
    start = rng.randrange(len(paragraphs))
    code = rng.randint(1000, 9999)
    count = counter()
    hay, total, i = [], 0, start
    while total < tokens:
        p = paragraphs[i % len(paragraphs)]
        hay.append(p)
        total += count(p) + 1
        i += 1
    at = round(depth * len(hay))
    sentence, question, prefix = NEEDLES[needle]
    hay.insert(at, sentence.format(code=code))
    meta = {"question": question, "answer": str(code), "answer_prefix": prefix, "needle": needle,
            "paragraph": at, "paragraphs": len(hay), "tokens": total, "depth": depth, "seed": seed}
    return "\n\n".join(hay) + "\n", meta


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, required=True)
    ap.add_argument("--depth", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--needle", type=int, default=0, choices=range(len(NEEDLES)),
                    help="Which needle sentence and question (0 is the harbour master's strongbox).")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    text, meta = build(args.tokens, args.depth, args.seed, args.needle)
    args.out.write_text(text)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
