"""``shopchat search``: one query, or an interactive terminal search when no query is given."""

from __future__ import annotations

import typer
from rich.table import Table

from retrieval.types import Mode, SearchResult
from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings


def render(result: SearchResult) -> Table:
    f = result.query.filters
    title = f"{result.query.original!r} -> text {result.query.text!r}"
    if not f.is_empty() or result.query.spec_problems:
        title += f"  filters: {_describe(result)}"
    table = Table(title=title, title_justify="left")
    for col in ("#", "id", "title", "brand", "price", "bm25", "dense", "score"):
        table.add_column(col, overflow="fold")
    for c in result.candidates:
        p = c.product
        table.add_row(
            str(c.rank),
            p.id,
            p.title[:80],
            p.brand,
            f"{p.price} {p.currency}" if p.price is not None else "-",
            f"{c.lexical_score:.2f}" if c.lexical_score is not None else "-",
            f"{c.dense_score:.3f}" if c.dense_score is not None else "-",
            f"{c.score:.4f}",
        )
    table.caption = " ".join(f"{k} {v:.1f}ms" for k, v in result.timings_ms.items())
    return table


def _describe(result: SearchResult) -> str:
    f = result.query.filters
    parts = []
    if f.price_min is not None:
        parts.append(f"price >= {f.price_min:g}")
    if f.price_max is not None:
        parts.append(f"price <= {f.price_max:g}")
    for label, values in (
        ("brand in", f.brands),
        ("brand not in", f.exclude_brands),
        ("category in", f.categories),
        ("category not in", f.exclude_categories),
    ):
        if values:
            parts.append(f"{label} {sorted(values)}")
    parts += [s.label + ("" if s.hard else " (preferred)") for s in f.specs]
    parts += [r.message for r in result.relaxed]
    parts += list(result.query.spec_problems)
    return ", ".join(parts)


def search(
    query: str = typer.Argument(None, help="What to look for; omit for an interactive session."),
    catalog: str = typer.Option(None, "--catalog", "-c"),
    mode: Mode = typer.Option(Mode.HYBRID, "--mode", "-m"),
    k: int = typer.Option(10, "--k", "-k", min=1, max=1000),
) -> None:
    """Search an indexed catalog: hybrid (default), bm25 or dense, with filters from the words."""
    from retrieval import open_searcher

    settings = get_settings()
    with fail_cleanly():
        searcher = open_searcher(catalog or settings.default_catalog, settings)
        if query:
            console.print(render(searcher.search(query, k=k, mode=mode)))
            return
        console.print(
            f"[bold]shopchat search[/] over [cyan]{searcher.catalog}[/] "
            f"({len(searcher.table)} products). Try 'wireless mouse under $30'. "
            "Empty line or Ctrl-D quits."
        )
        while True:
            try:
                line = console.input("[bold cyan]search>[/] ").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if not line or line in {"quit", "exit", ":q"}:
                break
            console.print(render(searcher.search(line, k=k, mode=mode)))
