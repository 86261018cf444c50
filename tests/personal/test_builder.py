"""Bulk profiles: from a catalog's interactions and from an events file with bad rows."""

from __future__ import annotations

from pathlib import Path

from catalog import load_interactions
from retrieval.profiles import Personaliser, build_profiles
from shopchat.records import Catalog


def test_bulk_build_is_incremental(personaliser: Personaliser, dummy_catalog: Catalog) -> None:
    carts = dummy_catalog.interactions
    users = {i.user_id for i in carts}
    first = build_profiles(personaliser, carts, "catalog:dummyjson", progress=False)
    assert (first.users, first.built, first.unchanged) == (len(users), len(users), 0)
    assert first.events_added == len(carts) and personaliser.profiles.count() == len(users)

    again = build_profiles(personaliser, carts, "catalog:dummyjson", progress=False)
    assert (again.events_added, again.built, again.unchanged) == (0, 0, len(users))

    user = sorted(users)[0]
    personaliser.record(user, carts[0].item_id, "like")
    assert personaliser.flush()
    after_record = build_profiles(personaliser, progress=False)
    assert after_record.built == 0  # record() already rebuilt and wrote it

    personaliser.events.add(carts[0])  # e.g. another process wrote an event, no profile yet
    changed = build_profiles(personaliser, progress=False)
    assert changed.built == 1 and changed.unchanged == len(users) - 1
    profile = personaliser.profile(carts[0].user_id)
    assert profile is not None and profile.events == personaliser.events.count(carts[0].user_id)


def test_events_file_bad_rows_are_reported_not_fatal(
    personaliser: Personaliser, tmp_path: Path
) -> None:
    item = personaliser.searcher.table.products[0].id
    path = tmp_path / "events.csv"
    path.write_text(
        "user_id,item_id,event,timestamp,query\n"
        f"u1,{item},view,2024-01-01T10:00:00Z,\n"
        f"u1,{item},buy,2024-01-01T10:00:00Z,\n"            # unknown event
        f"u2,{item},click,yesterday,\n"                     # bad timestamp
        "u2,,query,2024-01-02,red lipstick\n"
        "u3,not-in-catalog,purchase,2024-01-03,\n"          # unknown item: kept, not profiled
    )
    log = load_interactions(path)
    assert [(i.row, i.field) for i in log.report.issues] == [(2, "event"), (3, "timestamp")]
    stats = build_profiles(personaliser, log.interactions, f"log:{log.name}", progress=False)
    assert stats.events_added == 3 and stats.users == 3 and stats.skipped_events == 1
    u1, u2, u3 = (personaliser.profile(u) for u in ("u1", "u2", "u3"))
    assert u1 is not None and u1.item_weights == {item: 0.2}
    assert u2 is not None and u2.vector is not None  # from the embedded query alone
    assert u3 is not None and u3.vector is None and u3.skipped == 1
    assert personaliser.search("u3", "lipstick").ids == personaliser.searcher.search(
        "lipstick").ids
