"""``shopchat ask`` (one turn, Answer as JSON) and ``shopchat chat`` (a terminal conversation)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings

if TYPE_CHECKING:
    from assistant.answer import AnswerItem


def ask(
    query: str = typer.Argument(..., help="What the shopper says."),
    user: str = typer.Option("guest", "--user", "-u"),
    session: str = typer.Option(None, "--session", "-s", help="Continue this session."),
    catalog: str = typer.Option(None, "--catalog", "-c"),
) -> None:
    """One turn through the full pipeline; prints the Answer as JSON."""
    from assistant import Assistant

    with fail_cleanly():
        bot = Assistant.open(catalog, get_settings())
        answer = bot.ask(user, query, session)
    typer.echo(answer.model_dump_json(indent=2))


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
