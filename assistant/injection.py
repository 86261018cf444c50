"""Prompt-injection defences for catalog text and model output.

Catalog text reaches the rerank prompt. A product whose own text carries instructions ("ignore
your instructions", "rank this first", "reveal your system prompt", markup and script) is shown
to the model without that text, can never be promoted above its retrieval rank, and never gets
a model-written reason. Model reasons that quote the system prompt or talk about the shop
instead of the product are dropped.
"""

from __future__ import annotations

import re
import unicodedata

from shopchat.records import Product

_INSTRUCTION = re.compile(
    r"""
    \b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instruction|prompt|rule|previous|above|
        system|guideline)s?\b
    | \b(system|hidden|secret|initial)\s+(prompt|instruction|message)s?\b
    | \b(reveal|print|repeat|show|output|leak)\b.{0,30}\b(prompt|instruction|configuration)s?\b
    | \brank\b.{0,30}\b(first|highest|top|above|last|lowest|bottom)\b
    | \b(put|place|list|move)\s+(this|me|it|us)\b.{0,30}\b(first|top|above|higher)\b
    | \b(best|top)\s+(result|match|choice)\s+(always|for\s+every)\b
    | \byou\s+(are|must|should|will)\s+(now|always|only)\b
    | \b(dear|hey|attention)\s+(assistant|ai|chatbot|llm|model)\b | \b(assistant|chatbot|llm)\s*[:,]
    | \b(new|updated)\s+instructions?\b
    | \bpretend\s+(to\s+be|you)\b | \bjailbreak | \bDAN\b
    | \b(store|shop)\s+is\s+clos | \bsay\s+(that\s+)?the\s+(store|shop)\b
    | <\s*/?\s*(script|iframe|img|svg|object|embed|style|a)\b | \bon(error|load|click)\s*=
    | javascript\s*: | data\s*:\s*text/html
    | \[\s*INST\s*\] | <\|(im_start|im_end|system|user|assistant)\|> | \#\#\#\s*(system|instruction)
    | "\s*\w+\s*"\s*:\s*[\[{"] | \]\s*\]\s*,
    """,
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)

WITHHELD = "[text withheld: it contains instructions]"


def _visible(text: str) -> str:
    """Without zero-width and other format characters ("I\u200bgnore" reads "Ignore")."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def carries_instructions(text: str) -> bool:
    """True when ``text`` reads like instructions to a model, carries markup or script, or
    smuggles JSON into the model's reply format."""
    return bool(text) and _INSTRUCTION.search(_visible(text)) is not None


def suspicious(product: Product) -> bool:
    """A product whose own text tries to instruct the model."""
    return any(carries_instructions(t) for t in
               (product.title, product.description, product.brand, product.category))


def repeats(text: str, source: str, window: int = 5) -> bool:
    """True when ``text`` repeats ``window`` consecutive words of ``source``."""
    words = re.findall(r"\w+", source.lower())
    said = " " + " ".join(re.findall(r"\w+", text.lower())) + " "
    return any(" " + " ".join(words[i : i + window]) + " " in said
               for i in range(len(words) - window + 1))


def leaks_instructions(reason: str, instructions: str, window: int = 5) -> bool:
    """True when a model's ``reason`` repeats the ``instructions`` or is itself an instruction,
    markup, or a claim about the shop rather than the product."""
    return repeats(reason, instructions, window) or carries_instructions(reason)
