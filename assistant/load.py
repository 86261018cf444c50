"""``shopchat bench load``: many concurrent conversations through ``Assistant.ask_stream``,
timing the first cards (the candidates event) and the final answer apart.

Every conversation has its own price cap (20 + its number), so a constraint that leaked from
another session shows up as a wrong cap. Each answer is checked: every id in the catalog, every
item inside the conversation's own constraints (exactly its own cap and brand), "more" never
repeats, "why the first one?" explains the conversation's own first item. Busy answers (beyond
``max_turns_in_flight``) are counted apart from errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from assistant.answer import Answer, AnswerEvent, CandidatesEvent, Event
from assistant.intents import Intent
from assistant.service import Assistant
from assistant.ui.load import LoadRun, Step, Turn, check_items, run_concurrent
from retrieval.product_table import ProductTable
from shopchat.timing import elapsed_ms

WORDS = {"icecat": ("wireless mouse", "logitech"), "dummyjson": ("lipstick", "essence")}


def leak_script(conversation: int, word: str, brand: str) -> list[Step]:
    cap = 20.0 + conversation
    return [
        Step(f"{word} under ${cap:g}", price_max=cap),
        Step("more", price_max=cap, more=True),
        Step(f"only {brand}", price_max=cap, brand=brand),
        Step("why the first one?", expect="#1"),
        Step("start over", expect="Starting over"),
    ]


@dataclass(frozen=True)
class Checked:
    problem: str
    ids: list[str]


def check_answer(answer: Answer, step: Step, table: ProductTable, previous: list[str]
                 ) -> Checked:
    if answer.intent == Intent.BUSY:
        return Checked("", [])
    ids = [item.id for item in answer.items]
    problem = check_items(ids, answer.message, step, table, previous)
    cap = answer.constraints.get("price_max")
    if not problem and step.price_max is not None and cap != step.price_max:
        problem = f"price cap {cap} is not this conversation's {step.price_max}"  # a leak
    brands = answer.constraints.get("brands", [])
    if not problem and step.brand and brands != [step.brand]:
        problem = f"brands {brands} are not this conversation's [{step.brand}]"
    if not problem and step.expect == "#1" and previous and ids[:1] != previous[:1]:
        problem = f"'why the first one?' explained {ids[:1]}, not its own {previous[:1]}"
    return Checked(problem, ids)


TurnStream = Callable[[str, str, "str | None", int], Iterable[Event]]
"""``(user, message, session id, turn number)`` -> the turn's events, its answer last: the
assistant in this process, or one replica of several over HTTP (``assistant.api_load``)."""


def run_conversation(stream: TurnStream, table: ProductTable, n: int, script: Sequence[Step]
                     ) -> list[Turn]:
    user = f"load-{n}"
    session: str | None = None
    previous: list[str] = []
    turns: list[Turn] = []
    for step_no, step in enumerate(script):
        started = time.perf_counter()
        first: float | None = None
        error = model = False
        try:
            answer = None
            for event in stream(user, step.message, session, step_no):
                if isinstance(event, CandidatesEvent) and event.items and first is None:
                    first = elapsed_ms(started)
                elif isinstance(event, AnswerEvent):
                    answer = event.answer
            assert answer is not None  # ask_stream always ends with its answer
            session = answer.session_id
            checked = check_answer(answer, step, table, previous)
            problem, ids, busy = checked.problem, checked.ids, answer.intent == Intent.BUSY
            degraded = answer.degraded and not busy
            model = (bool(ids) and not answer.degraded
                     and answer.timings_ms.get("rerank", 0.0) > 0)  # the model ranked it
        except Exception as exc:  # a counted error, never a crash of the bench
            problem, ids, busy, degraded = f"{type(exc).__name__}: {exc}", [], False, False
            error = True
        ms = elapsed_ms(started)
        turns.append(Turn(n, step_no, step.message, ms, problem, degraded, len(ids), busy,
                          first_ms=first, error=error, model=model))
        previous = ids or previous
    return turns


def script_words(catalog: str) -> tuple[str, str]:
    """The product word and brand of the leak script for ``catalog`` (a renamed test copy too)."""
    return WORDS.get(catalog.split("-")[0], WORDS["icecat"])


def run_ask_load(bot: Assistant, conversations: int, turns: int, concurrent: bool = True,
                 progress: bool = True) -> LoadRun:
    word, brand = script_words(bot.searcher.catalog)

    def stream(user: str, message: str, session: str | None, _turn: int) -> Iterable[Event]:
        return bot.ask_stream(user, message, session)

    return run_concurrent(
        "ask()", conversations, turns,
        lambda n: run_conversation(stream, bot.searcher.table, n,
                                   leak_script(n, word, brand)[:turns]),
        concurrent, progress)
