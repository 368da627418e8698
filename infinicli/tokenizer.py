"""The model's own tokenizer: plain text in, token ids (and their character offsets) out."""

from __future__ import annotations

from collections.abc import Iterable

# A question in completion style ("Question: ... Answer:"): on long inputs the small default model
# answers from context this way more often than inside its chat template (issue 4's prototype notes).
QUESTION = "\n\nQuestion: {question}\nAnswer:"


class Tokenizer:
    """Wraps a Hugging Face tokenizer: plain text in, token ids out, no special tokens added."""

    def __init__(self, hf_tokenizer) -> None:
        self.hf = hf_tokenizer
        eos = {hf_tokenizer.eos_token_id}
        # end-of-turn markers, and the start of a new turn: an answer is over when either comes
        for name in ("<|im_end|>", "<|im_start|>", "<|endoftext|>", "<|eot_id|>", "<|start_header_id|>"):
            tid = hf_tokenizer.convert_tokens_to_ids(name)
            if isinstance(tid, int) and tid != hf_tokenizer.unk_token_id:
                eos.add(tid)
        self.stop_ids = {t for t in eos if t is not None}

    def encode(self, text: str) -> list[int]:
        return self.hf(text, add_special_tokens=False)["input_ids"]

    def encode_with_offsets(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids and each token's character span in `text` (a fast tokenizer's offsets)."""
        enc = self.hf(text, add_special_tokens=False, return_offsets_mapping=True)
        return enc["input_ids"], [tuple(o) for o in enc["offset_mapping"]]

    def decode(self, ids: Iterable[int]) -> str:
        return self.hf.decode(list(ids), skip_special_tokens=True)

    def chat(self, user: str, assistant_prefix: str = "") -> list[int]:
        """A one-turn chat prompt in the model's own template, ending where the answer starts."""
        if getattr(self.hf, "chat_template", None):
            text = self.hf.apply_chat_template([{"role": "user", "content": user}], tokenize=False,
                                               add_generation_prompt=True)
            return self.encode(text + assistant_prefix)
        return self.encode(f"{user}\n{assistant_prefix}")

    def question(self, question: str, prefix: str = "") -> list[int]:
        """The question prompt; `prefix` starts the answer (e.g. "The code is"), steering its form."""
        text = QUESTION.format(question=question.strip())
        return self.encode(f"{text} {prefix.strip()}" if prefix.strip() else text)
