"""The local model arena: blind side-by-side battles between local Ollama models."""

__version__ = "0.1.0"
