"""``shopchat eval search`` with a fake ``retrieval.open_searcher``."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from shopchat.cli.evaluate import app
from shopchat.settings import Settings

if TYPE_CHECKING:
    from tests.eval.conftest import FakeSearcher


def test_eval_search_command(fake_searcher: FakeSearcher, judgments_file: Path,
                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    def open_searcher(catalog: str, settings: Settings) -> FakeSearcher:
        opened.append(catalog)
        return fake_searcher

    fake_retrieval = types.ModuleType("retrieval")
    fake_retrieval.open_searcher = open_searcher  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "retrieval", fake_retrieval)

    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "search", "--catalog", "tiny", "--judgments", str(judgments_file),
        "--systems", "bm25,hybrid", "--out", str(out), "--k", "50",
    ])
    assert result.exit_code == 0, result.output
    assert opened == ["tiny"]
    assert "nDCG@10" in result.output and "hybrid" in result.output
    assert set(json.loads((out / "metrics.json").read_text())) == {"bm25", "hybrid"}


def test_eval_search_unknown_system_exits_1(fake_searcher: FakeSearcher, judgments_file: Path,
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    fake_retrieval = types.ModuleType("retrieval")
    fake_retrieval.open_searcher = lambda c, s: fake_searcher  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "retrieval", fake_retrieval)
    result = CliRunner().invoke(app, ["search", "--judgments", str(judgments_file),
                                      "--systems", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "unknown system" in result.output
