"""Text helpers every layer shares."""

from __future__ import annotations


def single_spaced(text: str) -> str:
    """``text`` stripped and single-spaced, with control and format characters (NUL, terminal
    escapes, zero-width marks) turned into spaces: they are not words."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())
