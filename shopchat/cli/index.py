"""``shopchat index``: load a catalog, embed it into ChromaDB, build the lexical index, and
bring its user profiles up to date with its interactions."""

from __future__ import annotations

from pathlib import Path

import typer

from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings


def index(
    catalog: str = typer.Option(None, "--catalog", "-c", help="icecat, online-retail or dummyjson"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    events: list[Path] = typer.Option(
        None, "--events", "-e", exists=True, dir_okay=False,
        help="An events file (user_id,item_id,event,timestamp[,query]) to add (repeatable).",
    ),
    users: bool = typer.Option(True, "--users/--no-users", help="Build user profiles too."),
) -> None:
    """Embed new or changed products and rebuild changed user profiles (incremental; safe to
    interrupt and re-run)."""
    from catalog import load_catalog, load_interactions
    from retrieval import build_index
    from retrieval.profiles import index_users

    settings = get_settings()
    name = catalog or settings.default_catalog
    with fail_cleanly():
        loaded = load_catalog(name, settings.data_dir)
        console.print(loaded.report.summary())
        logs = [load_interactions(path) for path in events or ()]
        for log in logs:
            console.print(log.report.summary())
            for issue in log.report.issues[:10]:
                console.print(f"  [yellow]rejected[/] {issue}")
        stats = build_index(loaded, settings, progress=not quiet)
        console.print(
            f"[green]indexed[/] {stats.catalog}: {stats.total} products, embedded "
            f"{stats.embedded}, unchanged {stats.unchanged}, deleted {stats.deleted} in "
            f"{stats.seconds:.1f}s"
        )
        if users and (loaded.interactions or logs or settings.events_path(name).exists()):
            profiles = index_users(loaded, settings, extra=logs, progress=not quiet)
            console.print(f"[green]profiles[/] {profiles.describe()}")
