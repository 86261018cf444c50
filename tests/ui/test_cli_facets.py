"""``shopchat ask`` shows the facets: after the items with ``--text``, in the JSON Answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant import Assistant
from shopchat.cli.main import app
from shopchat.settings import get_settings
from tests.cli import invoke
from tests.ui.facet_shim import with_facets


def test_ask_prints_facets_after_the_items(cli_env: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPCHAT_LLM_BACKEND", "none")
    get_settings.cache_clear()
    opened = Assistant.open

    def open_with_facets(*args: Any, **kwargs: Any) -> Assistant:
        return with_facets(opened(*args, **kwargs))

    monkeypatch.setattr(Assistant, "open", open_with_facets)
    invoke("index", "--catalog", "dummyjson", "--quiet")

    text = invoke("ask", "--text", "--catalog", "dummyjson", "--user", "u1", "smartphone")
    lines = text.splitlines()
    brand = next(i for i, line in enumerate(lines) if line.startswith("Brand: "))
    assert brand > next(i for i, line in enumerate(lines) if "Apple" in line and "$" in line)
    assert " · " in lines[brand] and "Apple (" in lines[brand]
    assert any(line.startswith("Price: under $") for line in lines[brand:])

    result = CliRunner().invoke(app, ["ask", "--catalog", "dummyjson", "--user", "u1",
                                      "smartphone"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)  # logs go to stderr
    facets = {f["name"]: f for f in answer["facets"]}
    assert {"brand", "price"} <= set(facets)
    apple = next(v for v in facets["brand"]["values"] if v["label"] == "Apple")
    assert apple["query"] == "only Apple" and apple["count"] >= 1
