"""``shopchat bench sessions``: a turn's session load + save in memory, SQLite and PostgreSQL."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.table import Table

from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings

SPEC_QUERY = "24 inch monitor with hdmi under $500 not Samsung"
"""Parsed on the catalog for the sessions' filters (a size, a feature, a price, a brand)."""


def sessions(
    catalog: str = typer.Option(None, "--catalog", "-c"),
    postgres: str = typer.Option(
        None, "--postgres", help="PostgreSQL URL (default: SHOPCHAT_DATABASE_URL if it is one)."),
    rounds: int = typer.Option(2000, "--rounds", "-n", min=10),
) -> None:
    """What persisting a conversation adds to a turn: load + save p50/p95 per store, and the
    difference and ratio against memory."""
    from assistant.session_bench import bench_sessions
    from retrieval import open_searcher

    settings = get_settings()
    url = postgres or (settings.database_url if (settings.database_url or "").startswith(
        "postgres") else None)
    with fail_cleanly(), tempfile.TemporaryDirectory() as tmp:
        searcher = open_searcher(catalog or settings.default_catalog, settings)
        filters = searcher.parse(SPEC_QUERY).filters
        searcher.close()
        results = bench_sessions(filters, Path(tmp) / "sessions.sqlite", url, rounds)
    memory = results[0]
    table = Table(title=f"session load + save per turn, {rounds} turns over 50 conversations "
                        f"({memory.state_bytes:,} bytes of state each)")
    for col in ("store", "p50 ms", "p95 ms", "p50 added ms", "p50 ratio"):
        table.add_column(col, justify="right")
    for r in results:
        table.add_row(r.store, f"{r.pct(50):.3f}", f"{r.pct(95):.3f}",
                      f"{r.pct(50) - memory.pct(50):.3f}", f"{r.pct(50) / memory.pct(50):.0f}x")
    console.print(table)
    if url is None:
        console.print("PostgreSQL not measured: pass --postgres or set SHOPCHAT_DATABASE_URL")
