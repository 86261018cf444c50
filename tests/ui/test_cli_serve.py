"""``shopchat serve`` refuses clearly when there is nothing to serve; the shop lists catalogs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from assistant.ui import indexed_catalogs
from assistant.ui.load import Step, check_reply
from assistant.ui.shop import GUEST, conversation_id, shopper_id
from retrieval.product_table import ProductTable
from shopchat.cli.main import app
from shopchat.records import Product
from shopchat.settings import Settings


def test_serve_without_an_index_says_what_to_run(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--catalog", "icecat", "--port", "0"])
    assert result.exit_code != 0
    assert "not indexed" in result.output and "shopchat index --catalog icecat" in result.output


def test_indexed_catalogs(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert indexed_catalogs(settings) == []
    for name, filled in (("b-cat", True), ("a-cat", True), ("empty", False)):
        folder = settings.lexical_dir(name)
        folder.mkdir(parents=True)
        if filled:
            (folder / "table.pkl").write_bytes(b"x")
    assert indexed_catalogs(settings) == ["a-cat", "b-cat"]


def test_guests_are_separate_per_browser_and_conversations_private() -> None:
    assert shopper_id(GUEST, "browser-1") != shopper_id(GUEST, "browser-2")
    assert shopper_id(GUEST, "browser-1").startswith("guest-")
    assert shopper_id("17850", "browser-1") == "17850"
    ids = {conversation_id(b, u, c, ch) for b in ("b1", "b2") for u in ("u1", "u2")
           for c in ("icecat", "dummyjson") for ch in ("ui", "api")}
    assert len(ids) == 16 and all(len(i) <= 128 for i in ids)


def test_load_checker_catches_every_kind_of_invalid_reply() -> None:
    table = ProductTable([Product("1", "Mouse", brand="Logitech", price=Decimal(20)),
                          Product("2", "Pad", brand="HP", price=Decimal(40))])
    ok = "Here. \n1. **Mouse** — Logitech — $20.00 `id:1`"
    assert check_reply(ok, Step("m", price_max=30, brand="logitech"), table, []) == ""
    assert "not in the catalog" in check_reply("`id:9`", Step("m"), table, [])
    assert "above 30" in check_reply("`id:2`", Step("m", price_max=30), table, [])
    assert "not logitech" in check_reply("`id:2`", Step("m", brand="logitech"), table, [])
    assert "excluded" in check_reply("`id:2`", Step("m", exclude_brand="hp"), table, [])
    assert "repeated" in check_reply(ok, Step("more", more=True), table, ["1"])
    assert "lacks" in check_reply(ok, Step("why", expect="#2"), table, [])
    assert check_reply(" ", Step("m"), table, []) == "empty reply"
