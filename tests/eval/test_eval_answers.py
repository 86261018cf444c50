"""``shopchat eval answers`` on the dummyjson index: the real ``Assistant.ask`` path, with a
scripted model that plants leaks (refused, never shown) or with no model at all (the CLI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant import Answer, AnswerItem, Assistant
from assistant.llm.base import Message
from eval.answers import audit_answers, audit_reason, audit_turn, write_answers_report
from eval.judgments import load_judgments
from retrieval import Searcher
from shopchat.settings import Settings
from tests.assistant.test_faithful import INTEGRAL, REQUEST, SONY
from tests.cli import invoke
from tests.fakes import ScriptedLLM

EMBEDDED = pytest.mark.parametrize("chroma_mode", ["embedded"], indirect=True)
"""The assistant path is the same over either Chroma mode: one is enough here."""

JUDGED = "query,docid,rating\nred lipstick,1,1\nmascara,2,1\nred lipstick,3,0\nperfume,4,2\n"
LEAK = " ($8.95)], ["


def leaky(messages: list[Message], schema: dict[str, Any]) -> str:
    """Each item's reason is its own title, except P2's: P1's title, a price and JSON debris."""
    lines = [line.split(": ", 1) for line in json.loads(messages[-1]["content"])["products"]]
    titles = {alias: rest.split(" (")[0] for alias, rest in lines}
    ranking = [[alias, titles[alias]] for alias, _ in lines]
    ranking[1][1] = titles["P1"] + LEAK
    return json.dumps({"ranking": ranking[:10]})


@pytest.fixture
def judged(tmp_path: Path) -> Path:
    path = tmp_path / "judgments.csv"
    path.write_text(JUDGED, encoding="utf-8")
    return path


@EMBEDDED
def test_audit_counts_refused_leaks_and_shows_none(
    dummy_searcher: Searcher, judged: Path, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path / "home", personalise=False, llm_timeout=30.0)
    bot = Assistant(dummy_searcher, ScriptedLLM([leaky] * 3), settings)
    audit = audit_answers(bot, load_judgments(judged), "dummyjson", progress=False)
    m = audit.metrics()
    assert m["queries"] == 3 and m["items"] == 30  # distinct queries, ten items each
    assert m["model_written_reasons"] >= 20
    assert m["refused_reasons"] >= 3 and set(m["refused_reasons_by_cause"]) <= {
        "foreign_product", "foreign_brand", "foreign_number", "markup_or_json_debris"}
    assert m["unfaithful_reasons_shown"] == 0
    assert all(LEAK not in i.reason for q in audit.queries for i in q.answer.items)
    assert m["degraded_turns"] == 0 and m["turn_ms"]["p50"] > 0
    assert 0 < m["faithful_check_ms_per_turn"]["max"] < 1000

    paths = write_answers_report(audit, tmp_path / "out")
    assert [p.name for p in paths] == ["metrics.json", "per_query.csv", "reasons.csv",
                                       "report.md"]
    assert json.loads(paths[0].read_text())["refused_reasons"] == m["refused_reasons"]
    assert "refused" in paths[2].read_text() and "Answer audit" in paths[3].read_text()


@EMBEDDED
def test_the_audit_counts_a_leak_the_checker_let_through(
    dummy_searcher: Searcher, tmp_path: Path
) -> None:
    """The audit re-checks shown reasons itself: a leak in an answer is counted, not assumed
    away because the checker ran."""
    bot = Assistant(dummy_searcher, None, Settings(home=tmp_path, personalise=False))
    first, second = dummy_searcher.search("red lipstick", k=2).candidates
    own, other = first.product, second.product
    leaked = f"{other.title} ${own.price}99 [x]"
    answer = Answer(session_id="s", items=[
        AnswerItem.from_product(own, f"{own.title}, ${own.price}", reason_source="model"),
        AnswerItem.from_product(other, leaked, reason_source="model"),
    ])
    audit = audit_turn(bot, "red lipstick", answer, 1.0)
    assert [(item_id, reason) for item_id, reason, _ in audit.unfaithful] == [(other.id, leaked)]
    problems = audit.unfaithful[0][2]
    assert any(p.startswith("number") for p in problems) and any("markup" in p for p in problems)


@pytest.mark.parametrize(("reason", "flags"), [
    ("Yamaha 5G SmartCard Reader 10 GB ($8.95)], [", ["markup", "number", "name"]),
    ("Sony card reader, $74.95", []),
    ("Memory Stick reader for about $75", []),
    ("Reader by Integral", ["brand", "name"]),
    ("Integral reader", ["brand", "name"]),
    ("Compact reader by Sony", []),  # an ordinary word, capitalised
    ("the cheapest Sony reader", ["claims"]),
    ("the priciest Sony reader", []),
    ("Sony reader, 2.5-inch", ["number"]),  # a size: its number is checked, not taken for a name
    ("fits the usb stick you asked for", []),
])
def test_audit_reason(reason: str, flags: list[str]) -> None:
    problems = audit_reason(reason, SONY, REQUEST, [INTEGRAL])
    assert sorted({p.split()[0] for p in problems}) == sorted(flags), problems


@EMBEDDED
def test_eval_answers_command_without_a_model(
    dummy_searcher: Searcher, judged: Path, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def open_bot(cls: type[Assistant], catalog: str, settings: Settings) -> Assistant:
        opened.append(catalog)
        none = settings.model_copy(update={"llm_backend": "none", "personalise": False})
        return Assistant(dummy_searcher, None, none)

    monkeypatch.setattr(Assistant, "open", classmethod(open_bot))
    out = cli_env / "answers"
    output = invoke("eval", "answers", "--catalog", "dummyjson", "--judgments", str(judged),
                    "--out", str(out), "--limit", "2", "--quiet")
    assert opened == ["dummyjson"] and "Answer audit" in output
    m = json.loads((out / "metrics.json").read_text())
    assert m["queries"] == 2 and m["items"] == 20
    assert m["model_written_reasons"] == 0 and m["refused_reasons"] == 0
    assert m["unfaithful_reasons_shown"] == 0 and m["degraded_turns"] == 0
    assert m["composed_reasons"] == 20 and m["mean_words_per_reason"] > 0
