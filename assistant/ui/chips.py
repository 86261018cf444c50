"""Facet chips on the chat page: the latest answer's brand, price and specification counts as
buttons ("27 inch (4)"); clicking one sends its follow-up ("27 inch") as the next message.

Gradio cannot add components while the page runs, so a fixed set of hidden rows and buttons is
built once and shown, relabelled or hidden per answer (as the product cards are).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.answer import AnswerFacet
from assistant.ui.render import chip_text, facet_name_html

FACET_ROWS = 5
"""Brand, price and up to three specifications (``retrieval.facets.facets_for``'s default)."""
CHIPS_PER_ROW = 6

CHIPS_CSS = """
#shopchat-facets {gap: 4px;}
#shopchat-facets .shopchat-facet {flex-wrap: wrap; align-items: center; gap: 6px;}
#shopchat-facets .shopchat-facet-name {flex: 0 0 9em !important; width: 9em !important;
  padding: 0 !important; font-weight: 600; font-size: 0.85em; line-height: 1.2;
  color: #475569; overflow-wrap: anywhere;}
#shopchat-facets .shopchat-chip {flex: 0 1 auto !important; width: auto !important;
  min-width: 0 !important; max-width: 100%; border-radius: 999px; padding: 2px 10px;
  white-space: normal; overflow-wrap: anywhere; text-align: left; color: #1e293b;}
"""

Shown = list[dict[str, Any]]
"""The facets on the page, as ``AnswerFacet.model_dump()`` dicts (a ``gr.State``)."""


@dataclass
class FacetChips:
    state: gr.State
    rows: list[gr.Row]
    names: list[gr.HTML]
    chips: list[list[gr.Button]]

    @classmethod
    def build(cls) -> FacetChips:
        """The (hidden) rows of chips, inside the current Blocks layout."""
        state = gr.State([])
        rows: list[gr.Row] = []
        names: list[gr.HTML] = []
        chips: list[list[gr.Button]] = []
        with gr.Column(elem_id="shopchat-facets"):
            for _ in range(FACET_ROWS):
                with gr.Row(visible=False, elem_classes="shopchat-facet") as row:
                    names.append(gr.HTML("", elem_classes="shopchat-facet-name", scale=0,
                                         min_width=0))
                    chips.append([gr.Button("", visible=False, size="sm", scale=0, min_width=0,
                                            elem_classes="shopchat-chip")
                                  for _ in range(CHIPS_PER_ROW)])
                rows.append(row)
        return cls(state, rows, names, chips)

    @property
    def outputs(self) -> list[Any]:
        return [self.state, *self.rows, *self.names, *(c for row in self.chips for c in row)]

    def show(self, facets: Sequence[AnswerFacet]) -> dict[Any, Any]:
        """Updates that show ``facets`` (at most ``FACET_ROWS`` of ``CHIPS_PER_ROW`` values)
        and hide every other row and chip."""
        shown = [f.model_dump() for f in facets[:FACET_ROWS]]
        out: dict[Any, Any] = {self.state: shown}
        for i, row in enumerate(self.rows):
            facet = facets[i] if i < len(shown) else None
            out[row] = gr.update(visible=facet is not None)
            out[self.names[i]] = facet_name_html(facet.label) if facet else ""
            for j, chip in enumerate(self.chips[i]):
                if facet is not None and j < len(facet.values):
                    out[chip] = gr.update(value=chip_text(facet.values[j]), visible=True)
                else:
                    out[chip] = gr.update(value="", visible=False)
        return out

    def bind(self, respond: Callable[..., Iterator[dict[Any, Any]]], inputs: list[Any],
             outputs: list[Any]) -> None:
        """Clicking a chip runs ``respond(query, *inputs, request)``: its query is sent as the
        next message, exactly as if typed."""
        for i, row in enumerate(self.chips):
            for j, chip in enumerate(row):
                chip.click(_sender(respond, i, j), inputs=[self.state, *inputs],
                           outputs=outputs, api_visibility="private")


def chip_query(shown: Shown, row: int, column: int) -> str:
    """The follow-up of the chip at (row, column); an error when that chip is gone."""
    try:
        return str(shown[row]["values"][column]["query"])
    except (IndexError, KeyError, TypeError):
        raise gr.Error("That choice is no longer shown.") from None


def _sender(respond: Callable[..., Iterator[dict[Any, Any]]], row: int,
            column: int) -> Callable[..., Iterator[dict[Any, Any]]]:
    def send(shown: Shown, chat: Any, selected: str, catalog: str,
             request: gr.Request) -> Iterator[dict[Any, Any]]:
        yield from respond(chip_query(shown, row, column), chat, selected, catalog, request)

    return send
