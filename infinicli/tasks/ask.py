"""A question answered about a long input: read with the question steering the recall pool, then ask.

The prompt is completion style ("Question: ... Answer:"): on long inputs the small default model
answers from context this way more often than inside its chat template (issue 4's prototype notes).
"""

from __future__ import annotations

from infinicli.engine import InfiniModel
from infinicli.tokenizer import Tokenizer

PROMPT = "\n\nQuestion: {question}\nAnswer:"
BASELINE_QUESTION = "What is this text about?"  # the generic question a contrastive pool score subtracts


def prompt_ids(tok: Tokenizer, question: str, prefix: str = "") -> list[int]:
    """The question prompt; `prefix` starts the answer (e.g. "The code is"), steering its form."""
    text = PROMPT.format(question=question.strip())
    return tok.encode(f"{text} {prefix.strip()}" if prefix.strip() else text)


def answer(engine: InfiniModel, tok: Tokenizer, question: str, max_tokens: int = 64,
           prefix: str = "") -> str:
    """Greedy answer from the engine's current state, up to the end of its first paragraph.

    The recalled blocks sit right before the question (recall_last); the answer includes `prefix`.
    """

    def paragraph_done(out: list[int]) -> bool:
        text = tok.decode(out).lstrip()
        return "\n" in text.rstrip() or text.endswith("\n\n")

    # An answer may not start with a line break: on code the model would end it there, empty, and
    # go on to repeat the question (5 of 10 repository questions did, samples/code/results.json).
    breaks = {i for text in ("\n", "\n\n", " \n") for i in tok.encode(text)}
    out = engine.generate(prompt_ids(tok, question, prefix), max_tokens, tok.stop_ids,
                          stop_when=paragraph_done, recall_last=True, not_first=breaks | tok.stop_ids)
    text = tok.decode(out).strip().split("\n")[0].strip()
    return f"{prefix.strip()} {text}".strip() if prefix.strip() else text


def recalled(engine: InfiniModel, tok: Tokenizer) -> list[dict]:
    """The passages the recall pool held when the question was asked, in input order, as text with
    their first token position, score and whether the answer read them (tokens the state does not
    know, as from an older snapshot, decode to nothing)."""
    pool = engine.state.pool
    read = set(pool.best_blocks(engine.answer_blocks))
    return [{"position": b["position"], "tokens": b["tokens"], "score": round(b["score"], 4),
             "answer_read": n in read, "text": tok.decode([i for i in b["ids"] if i >= 0])}
            for n, b in enumerate(pool.blocks_held())]
