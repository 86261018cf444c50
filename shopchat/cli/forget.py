"""``shopchat forget --user U``: delete a user's conversations, events and profiles from every
store."""

from __future__ import annotations

import json

import typer

from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings


def forget(
    user: str = typer.Option(..., "--user", "-u", help="The user id to forget."),
    catalog: list[str] = typer.Option(
        None, "--catalog", "-c",
        help="Only this catalog's events and profile (repeatable). Default: every catalog with "
             "events or profiles. Conversations go in every catalog.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what was removed as JSON."),
) -> None:
    """Remove a user's conversations, events and profile everywhere, and say what was removed."""
    from assistant.session_store import forget_sessions
    from retrieval.profiles import forget_user
    from shopchat.ids import check_user_id

    settings = get_settings()
    with fail_cleanly():
        user = check_user_id(user)
        conversations = forget_sessions(settings, user)
        reports = forget_user(user, settings, catalog or ())
    if as_json:
        console.print_json(json.dumps({"conversations": conversations, "catalogs": [
            {"catalog": r.store, "events": r.events, "profile": r.profile} for r in reports]}))
        return
    if conversations:
        console.print(f"forgot user {user!r}: deleted {conversations} conversations")
    if not reports and not conversations:
        console.print(f"no conversations, events or profiles stored under {settings.home}: "
                      "nothing to remove")
        return
    for report in reports:
        console.print(f"forgot user {user!r} in {report.describe()}")
    total = sum(r.events for r in reports)
    profiles = sum(r.profile for r in reports)
    console.print(f"[green]removed[/] {conversations} conversations, {total} events and "
                  f"{profiles} profiles in {len(reports)} catalogs; source-data re-imports "
                  "will skip this user")
