"""The clickable examples under the chat box, chosen per catalog so that each one gets a real
answer from that catalog: searches name a product kind the catalog has several of, and the
follow-ups after them refine that search ("only Logitech" after a mouse search that lists
Logitech mice).

``tests/ui/test_examples.py`` runs the examples of the test catalog (dummyjson) through the
assistant, and icecat's where its index exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    kind: str = ""
    """For a search: a word the top item's title or category holds (checked by the tests)."""


EXAMPLES: dict[str, tuple[Example, ...]] = {
    "icecat": (Example("wireless mouse under $30", "mouse"), Example("only Logitech"),
               Example("why the second one?"), Example("27 inch monitor under $400", "monitor"),
               Example("laptop with 16gb ram", "notebook"), Example("start over")),
    "online-retail": (Example("t-light holder", "t-light"), Example("lunch bag under 3", "lunch"),
                      Example("more"), Example("why the second one?")),
    "dummyjson": (Example("lipstick", "lipstick"), Example("smartphone under 500", "smartphone"),
                  Example("not Apple"), Example("what is the cheapest?")),
}
GENERIC_EXAMPLES = (Example("gift under 20"), Example("more"), Example("why the second one?"),
                    Example("start over"))


def examples_for(catalog: str) -> tuple[Example, ...]:
    """The examples of ``catalog`` (a catalog with none of its own gets generic ones)."""
    return EXAMPLES.get(catalog, GENERIC_EXAMPLES)


def example_texts(catalog: str) -> list[str]:
    return [e.text for e in examples_for(catalog)]
