"""``shopchat forget --user U``: delete a user's events and profiles from every store."""

from __future__ import annotations

import json

import typer

from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings


def forget(
    user: str = typer.Option(..., "--user", "-u", help="The user id to forget."),
    catalog: list[str] = typer.Option(
        None, "--catalog", "-c",
        help="Only this catalog (repeatable). Default: every catalog with events or profiles.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what was removed as JSON."),
) -> None:
    """Remove a user's events and profile everywhere, and say what was removed."""
    from retrieval.profiles import forget_user

    settings = get_settings()
    with fail_cleanly():
        reports = forget_user(user, settings, catalog or ())
    if as_json:
        console.print_json(json.dumps([
            {"catalog": r.store, "events": r.events, "profile": r.profile} for r in reports]))
        return
    if not reports:
        console.print(f"no events or profiles stored under {settings.home}: nothing to remove")
        return
    for report in reports:
        console.print(f"forgot user {user!r} in {report.describe()}")
    total = sum(r.events for r in reports)
    profiles = sum(r.profile for r in reports)
    console.print(f"[green]removed[/] {total} events and {profiles} profiles in "
                  f"{len(reports)} catalogs; source-data re-imports will skip this user")
