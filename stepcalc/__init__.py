"""stepcalc: the arithmetic of deep learning, worked step by step."""

__version__ = "0.1.0"
