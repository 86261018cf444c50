"""Load an interaction log (CSV / TSV / JSON Lines / JSON / parquet).

Columns: ``user_id, item_id, event, timestamp`` (required) and ``query, quantity``
(optional). ``event`` is one of view, click, cart, purchase, like, dislike, query. A query
event needs ``query`` text and may leave ``item_id`` empty; every other event needs an item.
``timestamp`` is ISO 8601 or epoch seconds; naive times are taken as UTC.
"""

from __future__ import annotations

import logging
from pathlib import Path

from catalog.readers import Row, read_table
from catalog.validate import (
    RowError,
    event_field,
    log_report,
    quantity_field,
    require_columns,
    text_field,
    timestamp_field,
    try_row,
)
from shopchat.records import Catalog, EventKind, Interaction, LoadReport

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("user_id", "item_id", "event", "timestamp")


def to_interaction(row: Row) -> Interaction:
    """Build one interaction from a raw row; raises ``RowError`` for unusable values."""
    event = event_field(row.get("event"))
    query = text_field(row.get("query"), "query")
    item_id = text_field(row.get("item_id"), "item_id", required=event is not EventKind.QUERY)
    if event is EventKind.QUERY and not query:
        raise RowError("query", "missing query: a query event needs query text")
    return Interaction(
        user_id=text_field(row.get("user_id"), "user_id", required=True),
        item_id=item_id,
        event=event,
        timestamp=timestamp_field(row.get("timestamp")),
        quantity=quantity_field(row.get("quantity")),
        query=query,
    )


def load_interactions_file(path: Path) -> Catalog:
    """Load ``path`` into a ``Catalog`` with no products, its interactions and a report."""
    table = read_table(path)
    require_columns(table.file, table.columns, REQUIRED_COLUMNS)
    report = LoadReport(source=str(path), rows_read=len(table.rows) + len(table.bad_rows))
    for row, reason in table.bad_rows:
        report.reject(table.file, row, "*", reason)
    interactions: list[Interaction] = []
    for row, raw in table.rows:
        interaction = try_row(report, table.file, row, to_interaction, raw)
        if interaction is not None:
            interactions.append(interaction)
    report.loaded = len(interactions)
    log_report(log, report)
    return Catalog(name=path.stem, products=[], interactions=interactions, report=report)
