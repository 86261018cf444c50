"""Generic interaction logs: table-driven bad rows; good rows still load."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from catalog import load_interactions
from shopchat.errors import DataError
from shopchat.records import EventKind

Write = Callable[[str, str | bytes], Path]

HEADER = b"user_id,item_id,event,timestamp,query,quantity\n"
GOOD_FIRST = b"u1,i1,view,2024-01-01T10:00:00Z,,\n"
GOOD_LAST = b"u1,,query,1704103200,quiet mouse,\n"

BAD_ROWS = [
    ("unknown event", b"u2,i2,buy,2024-01-01T10:00:00,,\n", "event", "unknown event"),
    ("bad timestamp", b"u2,i2,click,yesterday,,\n", "timestamp", "bad timestamp"),
    ("missing timestamp", b"u2,i2,click,,,\n", "timestamp", "missing timestamp"),
    ("missing user", b",i2,click,2024-01-01,,\n", "user_id", "missing user_id"),
    ("missing item", b"u2,,click,2024-01-01,,\n", "item_id", "missing item_id"),
    ("query without text", b"u2,,query,2024-01-01,,\n", "query", "missing query"),
    ("bad quantity", b"u2,i2,cart,2024-01-01,,two\n", "quantity", "bad quantity"),
    ("zero quantity", b"u2,i2,cart,2024-01-01,,0\n", "quantity", "bad quantity"),
    ("broken encoding", b"u2,,query,2024-01-01,caf\xe9,\n", "query", "broken encoding"),
]


@pytest.mark.parametrize(("case", "line", "field", "reason"), BAD_ROWS,
                         ids=[row[0] for row in BAD_ROWS])
def test_bad_row(write: Write, case: str, line: bytes, field: str, reason: str) -> None:
    path = write("log.csv", HEADER + GOOD_FIRST + line + GOOD_LAST)
    catalog = load_interactions(path)
    [issue] = catalog.report.issues
    assert (issue.file, issue.row, issue.field) == ("log.csv", 2, field)
    assert issue.reason.startswith(reason), issue.reason
    assert [i.event for i in catalog.interactions] == [EventKind.VIEW, EventKind.QUERY]
    assert catalog.products == []


def test_good_rows(write: Write) -> None:
    path = write("log.csv", HEADER + GOOD_FIRST + GOOD_LAST
                 + b"u3,i9,PURCHASE,2024-01-02 08:30:00+02:00,,3\n")
    view, query, purchase = load_interactions(path).interactions
    assert view.timestamp == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert (query.item_id, query.query) == ("", "quiet mouse")
    assert query.timestamp == datetime(2024, 1, 1, 10, tzinfo=UTC)  # epoch seconds
    assert (purchase.event, purchase.quantity) == (EventKind.PURCHASE, 3)
    assert purchase.timestamp == datetime(2024, 1, 2, 6, 30, tzinfo=UTC)


def test_jsonl_and_parquet(write: Write, tmp_path: Path) -> None:
    rows = [{"user_id": 1, "item_id": "a", "event": "like", "timestamp": "2024-03-01"},
            {"user_id": 2, "item_id": "b", "event": "meh", "timestamp": "2024-03-01"}]
    log = load_interactions(write("log.jsonl", "\n".join(json.dumps(r) for r in rows)))
    assert [(i.user_id, i.event) for i in log.interactions] == [("1", EventKind.LIKE)]
    assert [(i.row, i.field) for i in log.report.issues] == [(2, "event")]

    path = tmp_path / "log.parquet"
    frame = pd.DataFrame(rows)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    frame.to_parquet(path)
    log = load_interactions(path)
    assert log.interactions[0].timestamp == datetime(2024, 3, 1, tzinfo=UTC)
    assert [(i.row, i.field) for i in log.report.issues] == [(2, "event")]


def test_missing_column(write: Write) -> None:
    with pytest.raises(DataError, match=r"log\.csv.*'timestamp'"):
        load_interactions(write("log.csv", "user_id,item_id,event\nu,i,view\n"))


def test_empty_file(write: Write) -> None:
    with pytest.raises(DataError, match=r"log\.csv.*empty"):
        load_interactions(write("log.csv", b""))
