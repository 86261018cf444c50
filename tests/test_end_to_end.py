"""The command line end to end: index, search, evaluate, on real data with real components."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopchat.cli.main import app
from shopchat.settings import get_settings
from tests.cli import invoke
from tests.conftest import CHROMA_MODES


@pytest.mark.parametrize("mode", CHROMA_MODES)
def test_index_and_search_dummyjson(
    cli_env: Path, mode: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    if mode == "server":
        monkeypatch.setenv("SHOPCHAT_CHROMA_URL", request.getfixturevalue("chroma_server_url"))
        get_settings.cache_clear()
    out = invoke("index", "--catalog", "dummyjson", "--quiet")
    assert "indexed dummyjson: 194 products" in out
    assert "embedded 0" in invoke("index", "--catalog", "dummyjson", "--quiet")
    out = invoke("search", "--catalog", "dummyjson", "-k", "3", "apple laptop under $2000")
    assert "MacBook" in out and "price <= 2000" in out


def test_search_before_index_says_what_to_run(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["search", "--catalog", "dummyjson", "anything"])
    assert result.exit_code == 1
    assert "shopchat index --catalog dummyjson" in result.output


def test_interactive_search_reads_until_an_empty_line(cli_env: Path) -> None:
    invoke("index", "--catalog", "dummyjson", "--quiet")
    result = CliRunner().invoke(
        app,
        ["search", "--catalog", "dummyjson", "-k", "2"],
        input="red lipstick\nsunglasses not gucci\n\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("search>") == 3 and "Lipstick" in result.output


@pytest.mark.slow
@pytest.mark.timeout(2400)
def test_icecat_index_and_search_quality(cli_env: Path, data_dir: Path) -> None:
    """The full Icecat catalog (19,406 products) and its 95 judged queries: hybrid >= 0.62."""
    assert "indexed icecat: 19406 products" in invoke("index", "--catalog", "icecat", "--quiet")
    out_dir = cli_env / "eval"
    invoke(
        "eval",
        "search",
        "--catalog",
        "icecat",
        "--judgments",
        str(data_dir / "icecat" / "judgments.csv"),
        "--systems",
        "bm25,dense,hybrid",
        "--out",
        str(out_dir),
    )
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert metrics["hybrid"]["ndcg@10"] >= 0.62
    assert metrics["hybrid"]["ndcg@10"] > max(
        metrics["bm25"]["ndcg@10"], metrics["dense"]["ndcg@10"]
    )
    assert metrics["hybrid"]["recall@100"] >= 0.75
    assert (out_dir / "report.md").exists() and (out_dir / "per_query.csv").exists()
    assert list(out_dir.glob("*.png"))


def test_terminal_chat_keeps_the_conversation(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPCHAT_LLM_BACKEND", "none")
    get_settings.cache_clear()
    invoke("index", "--catalog", "dummyjson", "--quiet")
    result = CliRunner().invoke(
        app,
        ["chat", "--catalog", "dummyjson", "--user", "u1"],
        input="smartphone under $800\ncheaper\nwhy the first one?\n\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("shopchat>") == 3
    assert "under $800" in result.output and "Why it is here" in result.output


def test_ask_prints_the_answer_as_json(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPCHAT_LLM_BACKEND", "none")
    get_settings.cache_clear()
    invoke("index", "--catalog", "dummyjson", "--quiet")
    answer = json.loads(
        invoke("ask", "--catalog", "dummyjson", "--user", "u1", "laptop under $1500")
    )
    assert answer["items"] and answer["constraints"] == {
        "price_max": 1500.0,
        "categories": ["laptops"],
    }
    assert all(item["price"] <= 1500 for item in answer["items"])
