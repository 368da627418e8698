"""infini: read inputs far longer than a model's context, with flat memory (Infini-attention)."""

__version__ = "0.1.0"
