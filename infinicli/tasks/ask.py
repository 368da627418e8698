"""A question answered about a long input: read with the question steering the recall pool, then ask.

The prompt is completion style ("Question: ... Answer:"): on long inputs the small default model
answers from context this way more often than inside its chat template (issue 4's prototype notes).
"""

from __future__ import annotations

from infinicli.engine import InfiniModel
from infinicli.tokenizer import Tokenizer

PROMPT = "\n\nQuestion: {question}\nAnswer:"


def prompt_ids(tok: Tokenizer, question: str) -> list[int]:
    return tok.encode(PROMPT.format(question=question.strip()))


def answer(engine: InfiniModel, tok: Tokenizer, question: str, max_tokens: int = 64) -> str:
    """Greedy answer from the engine's current state, up to the end of its first paragraph."""

    def paragraph_done(out: list[int]) -> bool:
        text = tok.decode(out).lstrip()
        return "\n" in text.rstrip() or text.endswith("\n\n")

    out = engine.generate(prompt_ids(tok, question), max_tokens, tok.stop_ids, stop_when=paragraph_done)
    return tok.decode(out).strip().split("\n")[0].strip()
