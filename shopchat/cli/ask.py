"""``shopchat ask`` (one turn: the Answer as JSON, or ``--text``: message, items and facets) and
``shopchat chat`` (a terminal conversation)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings

if TYPE_CHECKING:
    from assistant.answer import Answer, AnswerFacet, AnswerItem


def ask(
    query: str = typer.Argument(..., help="What the shopper says."),
    user: str = typer.Option("guest", "--user", "-u"),
    session: str = typer.Option(None, "--session", "-s", help="Continue this session."),
    catalog: str = typer.Option(None, "--catalog", "-c"),
    as_json: bool = typer.Option(True, "--json/--text",
                                 help="The Answer as JSON (default), or as text: the message, "
                                      "the items, then the facets."),
) -> None:
    """One turn through the full pipeline; prints the Answer as JSON (its ``facets`` too)."""
    from assistant import Assistant

    with fail_cleanly():
        bot = Assistant.open(catalog, get_settings())
        answer = bot.ask(user, query, session)
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)


def print_answer(answer: Answer) -> None:
    console.print(escape(answer.message), markup=True)
    if answer.items:
        console.print(items_table(answer.items, ""))
    for line in facet_lines(answer.facets):
        console.print(line, markup=False, highlight=False)
    console.print(f"session: {answer.session_id}", style="dim", markup=False)


def facet_lines(facets: Sequence[AnswerFacet]) -> list[str]:
    """ "Brand: Logitech (4) · HP (2)", one line per facet; a value whose follow-up is not its
    label plainly says what to type ("yes (18) → with hdmi")."""
    lines = []
    for facet in facets:
        shown = []
        for v in facet.values:
            text = f"{v.label} ({v.count})"
            if facet.name not in ("brand", "price") and v.query != v.label:
                text += f" \u2192 {v.query}"
            shown.append(text)
        lines.append(f"{facet.label}: " + " \u00b7 ".join(shown))
    return lines


def items_table(items: Sequence[AnswerItem], title: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in ("#", "title", "brand", "price", "why"):
        table.add_column(col, overflow="fold")
    for n, item in enumerate(items, start=1):
        price = f"{item.price:,.2f} {item.currency}" if item.price is not None else "-"
        table.add_row(str(n), item.title[:70], item.brand, price, item.reason)
    return table


def chat(
    user: str = typer.Option("guest", "--user", "-u"),
    catalog: str = typer.Option(None, "--catalog", "-c"),
) -> None:
    """A terminal conversation: refine ("cheaper", "only Logitech"), "more", "why the second
    one?", "compare 1 and 3", "start over". Empty line or Ctrl-D quits."""
    from assistant import AnswerEvent, Assistant, CandidatesEvent, ReasonsEvent

    with fail_cleanly():
        bot = Assistant.open(catalog, get_settings())
    llm = bot.llm.name if bot.llm else "none"
    console.print(
        f"[bold]shopchat[/] over [cyan]{bot.searcher.catalog}[/] as [cyan]{user}[/] "
        f"(model: {llm}). Empty line quits."
    )
    session = None
    while True:
        try:
            line = console.input("[bold cyan]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not line or line in {"quit", "exit"}:
            break
        with fail_cleanly():
            for event in bot.ask_stream(user, line, session):
                if isinstance(event, CandidatesEvent) and event.items:
                    console.print(f"[dim]{len(event.items)} candidates, ranking…[/]")
                elif isinstance(event, ReasonsEvent):
                    console.print(items_table(event.items, ""))
                elif isinstance(event, AnswerEvent):
                    session = event.answer.session_id
                    console.print(f"[bold green]shopchat>[/] {event.answer.message}")
                    for facet_line in facet_lines(event.answer.facets):
                        console.print(facet_line, style="dim", markup=False, highlight=False)
