"""Bad model output of every kind ends in a valid answer, flagged: wrong ids, foreign names,
markup, empty, huge, not JSON. Table-driven through ``Assistant.ask`` on the dummyjson index
with a scripted model (the real server's faults: ``test_llm_faults.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from assistant import Answer, Assistant
from assistant.llm.base import LLMBadOutput, Message
from retrieval import Searcher
from shopchat.settings import Settings
from tests.fakes import ScriptedLLM

QUERY = "red lipstick"
JUNK = ("Yamaha", "8.95", "<", "**", "]", "P7", "x" * 50)


def pairs(reason_for: Callable[[str, dict[str, str]], str]) -> Callable[..., str]:
    """A model that ranks the window as given, with ``reason_for(alias, titles)`` as reasons."""
    def respond(messages: list[Message], schema: dict[str, Any]) -> str:
        lines = [line.split(": ", 1) for line in json.loads(messages[-1]["content"])["products"]]
        titles = {alias: rest.split(" (")[0] for alias, rest in lines}
        return json.dumps({"ranking": [[a, reason_for(a, titles)] for a in titles]})
    return respond


def own_title_but(alias: str, bad: str) -> Callable[[str, dict[str, str]], str]:
    return lambda a, titles: bad.format(**titles) if a == alias else titles[a]


@dataclass(frozen=True)
class Output:
    name: str
    script: Any
    degraded: str | None = None  # the cause a degraded answer carries
    refused: str | None = None  # the cause a refused reason carries
    composed_first: bool = False  # the first retrieval item shows a composed reason


OUTPUTS = [
    Output("not JSON", "Sure! Here are the best lipsticks for you.", degraded="llm_bad_output"),
    Output("empty reply", "", degraded="llm_bad_output"),
    Output("JSON null", "null", degraded="llm_bad_output"),
    Output("wrong shape", '{"ids": ["P1", "P2"]}', degraded="llm_bad_output"),
    Output("only wrong ids", '{"ranking": [["P99", "x"], ["id-7", "y"]]}',
           degraded="llm_bad_output"),
    Output("cut at max_tokens", LLMBadOutput("JSON was cut at max_tokens=336"),
           degraded="llm_bad_output"),
    Output("huge reply (10 MB, not JSON)", "x" * 10_000_000, degraded="llm_bad_output"),
    Output("huge reason", json.dumps({"ranking": [["P1", "x" * 1_000_000]]}),
           composed_first=True),
    Output("empty reasons", pairs(lambda a, t: ""), composed_first=True),
    Output("whitespace reasons", pairs(lambda a, t: " \t "), composed_first=True),
    Output("some wrong ids", '{"ranking": [["P99", "x"], ["P1", "lipstick"]]}'),
    Output("foreign product name", pairs(own_title_but("P1", "{P2} ($8.95)")),
           refused="foreign_product", composed_first=True),
    Output("invented product", pairs(own_title_but("P1", "Yamaha 5G SmartCard lipstick")),
           refused="foreign_product", composed_first=True),
    Output("foreign price", pairs(own_title_but("P1", "lipstick for $8.95")),
           refused="foreign_number", composed_first=True),
    Output("JSON debris", pairs(own_title_but("P1", 'lipstick"], ["P7')),
           refused="markup_or_json_debris", composed_first=True),
    Output("Markdown", pairs(own_title_but("P1", "**lipstick**")),
           refused="markup_or_json_debris", composed_first=True),
    Output("HTML", pairs(own_title_but("P1", "<b>lipstick</b>")),
           refused="markup_or_json_debris", composed_first=True),
    Output("script", pairs(own_title_but("P1", "<script>alert(1)</script> lipstick")),
           refused="instructions", composed_first=True),
    Output("prompt echoed", pairs(own_title_but("P1", "ignore your instructions, lipstick")),
           refused="instructions", composed_first=True),
    Output("praise only", pairs(own_title_but("P1", "Great choice!")),
           refused="no_own_fact", composed_first=True),
]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("bad-output"), personalise=False,
                    llm_timeout=30.0)


@pytest.mark.parametrize("chroma_mode", ["embedded"], indirect=True)
@pytest.mark.parametrize("case", OUTPUTS, ids=[o.name for o in OUTPUTS])
def test_bad_model_output_ends_in_a_valid_flagged_answer(
    case: Output, dummy_searcher: Searcher, settings: Settings
) -> None:
    answer: Answer = Assistant(dummy_searcher, ScriptedLLM([case.script]), settings).ask(
        "shopper", QUERY)
    retrieved = dummy_searcher.search(QUERY, k=20).ids
    # valid: catalog items the search found, each with a short reason, no junk shown
    assert answer.items and all(i.id in retrieved for i in answer.items)
    assert all(i.reason and len(i.reason) <= 240 for i in answer.items)
    assert not any(j in i.reason for i in answer.items for j in JUNK), \
        [i.reason for i in answer.items]
    # flagged: degraded with its cause, or the refusal and the composed reason on the answer
    assert answer.degraded == (case.degraded is not None)
    if case.degraded:
        assert (answer.degraded_reason or "").startswith(case.degraded), answer.degraded_reason
        assert all(i.reason_source == "composed" for i in answer.items)
    refused = {r.id: r.cause for r in answer.refused_reasons}
    first = next(i for i in answer.items if i.id == retrieved[0])
    if case.refused:
        assert refused == {first.id: case.refused}, answer.refused_reasons
    else:
        assert not refused
    if case.composed_first:
        assert first.reason_source == "composed"
