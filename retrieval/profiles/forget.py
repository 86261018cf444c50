"""Forget a user everywhere: every events store (SQLite files under SHOPCHAT_HOME, or the
shared database's profile sets), every users collection.

Works without a product index (no model, no searcher): it only deletes. Each events store
keeps a tombstone (a hash of the id) so re-importing source data does not restore the user.
The user's conversations are the assistant's (``assistant.session_store.forget_sessions``):
``shopchat forget`` and ``Assistant.forget`` delete them too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from retrieval.profiles.events import has_events, open_events, stored_sets
from retrieval.profiles.personaliser import ForgetReport
from retrieval.profiles.store import USERS_PREFIX, ProfileStore, users_collection_name
from retrieval.store import open_client
from shopchat.ids import check_user_id
from shopchat.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

log = logging.getLogger(__name__)


def profile_sets(settings: Settings, client: ClientAPI) -> list[str]:
    """Names of the profile sets that exist: events stores and users collections."""
    names = set(stored_sets(settings))
    by_collection = {users_collection_name(n): n for n in names}
    for collection in client.list_collections():
        cname = getattr(collection, "name", str(collection))
        if cname.startswith(USERS_PREFIX) and cname not in by_collection:
            names.add(cname[len(USERS_PREFIX):])
    return sorted(names)


def forget_user(user_id: str, settings: Settings, catalogs: Sequence[str] = (),
                client: ClientAPI | None = None) -> list[ForgetReport]:
    """Delete ``user_id``'s events and profiles; ``catalogs`` limits it (default: all found).

    A named catalog gets its events store (and tombstone) even if it had none yet.
    """
    user_id = check_user_id(user_id)
    client = client or open_client(settings)
    names = list(catalogs) or profile_sets(settings, client)
    reports = []
    for name in names:
        events = 0
        if catalogs or has_events(settings, name):
            store = open_events(settings, name)
            try:
                events = store.forget(user_id)
            finally:
                store.close()
        profiles = ProfileStore.open(client, name, create=False)
        removed = profiles.delete([user_id]) > 0 if profiles is not None else False
        reports.append(ForgetReport(user_id, name, events, removed))
        log.debug("forget %s: %s", name, reports[-1].describe())
    return reports
