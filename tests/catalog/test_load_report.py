"""How a load is told: one line per source, counts as facts, rejected rows with file and row."""

from __future__ import annotations

import logging

import pytest

from catalog.validate import issue_lines, log_report, note_line, report_details, report_line
from shopchat.records import Catalog, LoadReport


def test_icecat_counts_read_as_facts(icecat: Catalog) -> None:
    details = report_details(icecat.report)
    assert "1,532 of 19,406 products name a product type (attr_t_product_type; the others " \
           "have no category)" in details
    assert "18,685 of 19,406 products have a short description" in details
    assert not any("without" in line for line in details)
    assert report_line(icecat.report, "icecat", products=len(icecat.products),
                       interactions=len(icecat.interactions)) == \
        "icecat: 19,406 products from 19,406 rows, none rejected"


def test_online_retail_line_names_products_and_interactions(online_retail: Catalog) -> None:
    line = report_line(online_retail.report, "online-retail",
                       products=len(online_retail.products),
                       interactions=len(online_retail.interactions))
    assert line == ("online-retail: 3,810 products and 396,277 interactions from 541,909 rows, "
                    "none rejected")
    assert "\n" not in line


@pytest.mark.parametrize(("note", "n", "said"), [
    ("of 10 products name a product type", 3, "3 of 10 products name a product type"),
    ("lines without CustomerID", 135_080, "lines without CustomerID: 135,080"),
])
def test_note_line(note: str, n: int, said: str) -> None:
    assert note_line(note, n) == said


def rejecting_report(rejects: int) -> LoadReport:
    report = LoadReport(source="data/products.csv", rows_read=20, loaded=20 - rejects)
    for row in range(1, rejects + 1):
        report.reject("products.csv", row, "price", f"bad price: 'x{row}' is not a number")
    return report


def test_rejected_rows_keep_file_row_and_field() -> None:
    report = rejecting_report(12)
    assert report_line(report) == ("data/products.csv: 8 records from 20 rows, rejected 12 "
                                   "(bad price: 12)")
    lines = issue_lines(report)
    assert lines[0] == "products.csv:1: price: bad price: 'x1' is not a number"
    assert len(lines) == 11 and lines[-1] == "... and 2 more"


def test_log_report_one_line_or_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("catalog.test")
    clean = LoadReport(source="x.csv", rows_read=1, loaded=1)
    clean.count("products priced 0")
    with caplog.at_level(logging.INFO, logger="catalog.test"):
        log_report(log, clean)
        log_report(log, rejecting_report(1))
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, "x.csv: 1 record from 1 row, none rejected"),
        (logging.WARNING, "data/products.csv: 19 records from 20 rows, rejected 1 (bad price: 1)"
                          "\n  products.csv:1: price: bad price: 'x1' is not a number"),
    ]
