"""Catalog and shopper text inside the assistant's Markdown messages, made literal."""

from __future__ import annotations

import re

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")


def md_escape(text: str) -> str:
    """``text`` on one line, with every character that Markdown or HTML acts on escaped."""
    flat = " ".join(str(text).split())
    flat = _INLINE.sub(r"\\\1", flat)
    # a line-start marker is escaped at its punctuation: \# x, 1\. x
    return _LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)[:-1]}\\{m.group(2)[-1]}", flat)
