"""``shopchat index``: load a catalog, embed it into ChromaDB, build the lexical index."""

from __future__ import annotations

import typer

from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings


def index(
    catalog: str = typer.Option(None, "--catalog", "-c", help="icecat, online-retail or dummyjson"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Embed new or changed products of a catalog (incremental; safe to interrupt and re-run)."""
    from catalog import load_catalog
    from retrieval import build_index

    settings = get_settings()
    name = catalog or settings.default_catalog
    with fail_cleanly():
        loaded = load_catalog(name, settings.data_dir)
        console.print(loaded.report.summary())
        stats = build_index(loaded, settings, progress=not quiet)
    console.print(
        f"[green]indexed[/] {stats.catalog}: {stats.total} products, embedded {stats.embedded}, "
        f"unchanged {stats.unchanged}, deleted {stats.deleted} in {stats.seconds:.1f}s"
    )
