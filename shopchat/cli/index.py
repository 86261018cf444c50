"""``shopchat index``: load a catalog, embed it into ChromaDB, build the lexical index, and
bring its user profiles up to date with its interactions."""

from __future__ import annotations

from pathlib import Path

import typer

from shopchat.cli.common import console, fail_cleanly, reported_here
from shopchat.records import Catalog
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
    from retrieval.profiles.events import has_events

    settings = get_settings()
    name = catalog or settings.default_catalog
    with fail_cleanly():
        with reported_here("catalog"):  # the lines below replace the loaders' own log lines
            loaded = load_catalog(name, settings.data_dir)
            logs = [load_interactions(path) for path in events or ()]
        _print_load(name, loaded)
        for log in logs:
            _print_load(str(log.report.source), log)
        stats = build_index(loaded, settings, progress=not quiet)
        console.print(
            f"[green]indexed[/] {stats.catalog}: {stats.total} products, embedded "
            f"{stats.embedded}, unchanged {stats.unchanged}, deleted {stats.deleted} in "
            f"{stats.seconds:.1f}s"
        )
        if users and (loaded.interactions or logs or has_events(settings, name)):
            profiles = index_users(loaded, settings, extra=logs, progress=not quiet)
            console.print(f"[green]profiles[/] {profiles.describe()}")


def _print_load(label: str, loaded: Catalog) -> None:
    """One line per loaded source; its rejected rows (file:row: field: reason) under it."""
    from rich.markup import escape

    from catalog.validate import issue_lines, report_line

    report = loaded.report
    line = report_line(report, label, products=len(loaded.products) if loaded.products else None,
                       interactions=len(loaded.interactions))
    console.print(f"[{'yellow' if report.rejected else 'green'}]loaded[/] {escape(line)}",
                  highlight=False, soft_wrap=True)  # one line, whatever the terminal's width
    for issue in issue_lines(report):
        console.print(f"  [yellow]rejected[/] {escape(issue)}", highlight=False, soft_wrap=True)
