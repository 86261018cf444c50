"""The SQLite events store: idempotent imports, digests, forgetting with a tombstone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from retrieval.profiles import EventStore
from shopchat.records import EventKind, Interaction

T = datetime(2024, 1, 1, tzinfo=UTC)


def rows() -> list[Interaction]:
    same = Interaction("u1", "i1", EventKind.PURCHASE, T, 2)
    return [same, same,  # an exact duplicate line is a second purchase, not a re-import
            Interaction("u1", "i2", EventKind.VIEW, T),
            Interaction("u2", "", EventKind.QUERY, T, query="red lipstick")]


def test_import_is_idempotent_and_keeps_duplicates(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "e.sqlite")
    vec = np.ones(4, dtype=np.float32)
    assert store.import_interactions(rows(), "src", {"red lipstick": vec}) == 4
    assert store.import_interactions(rows(), "src") == 0
    assert store.import_interactions(rows()[:1], "other source") == 1
    assert store.count() == 5 and store.count("u1") == 4
    [query] = store.events("u2")
    assert query.event is EventKind.QUERY and np.allclose(query.vector, vec)  # type: ignore[arg-type]
    assert dict(store.events_of(["u2", "nobody"])).keys() == {"u2"}


def test_digest_changes_with_events(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "e.sqlite")
    store.import_interactions(rows(), "src")
    before = store.digests()
    store.add(Interaction("u1", "i3", EventKind.LIKE, T))
    after = store.digests()
    assert before["u2"] == after["u2"] and before["u1"] != after["u1"]
    assert store.digest("u1") == after["u1"] and store.digest("nobody") is None


def test_forget_deletes_and_blocks_reimport(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite"
    store = EventStore(path)
    store.import_interactions(rows(), "src")
    store.mark_built({"u1": "d"})
    assert store.forget("u1") == 3
    assert store.count("u1") == 0 and "u1" not in store.built()
    assert store.is_forgotten("u1") and not store.is_forgotten("u2")
    store.close()
    reopened = EventStore(path)  # the tombstone is durable
    assert reopened.import_interactions(rows(), "src2") == 1  # only u2's row
    for file in tmp_path.iterdir():  # the id itself is not kept, not even in free pages
        assert b"u1" not in file.read_bytes(), file
    reopened.add(Interaction("u1", "i9", EventKind.CLICK, T))  # a returning user may record
    assert reopened.count("u1") == 1
