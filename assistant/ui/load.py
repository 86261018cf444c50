"""``shopchat bench ui``: simulated shoppers talking to a running chat page.

Each shopper is one ``PageClient`` (its own browser session, over Gradio's HTTP API) running a
scripted 5-turn conversation through the streamed ``/chat_stream`` API, timing the first update that
carries product cards and the final reply apart; every reply is checked: no error, every listed
id in the catalog, every item inside the conversation's active constraints, "more" never
repeats. The baseline is the same scripts run by one shopper at a time against the same
server, in the same run.
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
from tqdm import tqdm

from assistant.phrases import PHRASES
from assistant.ui.render import reply_item_ids
from retrieval.product_table import ProductTable
from shopchat.settings import get_settings
from shopchat.timing import elapsed_ms

DEGRADED_NOTES = tuple(text.split("{")[0].strip() for text in PHRASES["degraded"])
"""The start of ``messages.degraded_note`` in each language: in a reply whose model stage was
skipped, refused or failed."""


def is_degraded(reply: str) -> bool:
    return any(note in reply for note in DEGRADED_NOTES)


@dataclass(frozen=True)
class Step:
    message: str
    price_max: float | None = None
    """Every item must cost at most this (the conversation's price cap so far)."""
    brand: str | None = None
    exclude_brand: str | None = None
    more: bool = False
    """A "more" turn: none of the previous turn's items may come back."""
    expect: str | None = None
    """Text the reply must contain."""


SCRIPTS: dict[str, list[list[Step]]] = {
    "icecat": [
        [Step("wireless mouse"), Step("under 30", price_max=30),
         Step("only Logitech", price_max=30, brand="logitech"),
         Step("more", price_max=30, brand="logitech", more=True),
         Step("what is the cheapest of these?", expect="cheapest")],
        [Step("27 inch monitor under 400", price_max=400),
         Step("not Samsung", price_max=400, exclude_brand="samsung"),
         Step("why the second one?", expect="#2"),
         Step("more", price_max=400, exclude_brand="samsung", more=True),
         Step("start over", expect="Starting over")],
        [Step("laptop bag under 60", price_max=60), Step("compare 1 and 2", expect="#1"),
         Step("more", price_max=60, more=True), Step("only HP", price_max=60, brand="hp"),
         Step("why the first one?", expect="#1")],
        [Step("usb flash drive 64gb"), Step("under 20", price_max=20),
         Step("more", price_max=20, more=True), Step("start over", expect="Starting over"),
         Step("external hard drive 2tb under 120", price_max=120)],
    ],
}
GENERIC = [[Step("gift under 20", price_max=20), Step("more", price_max=20, more=True),
            Step("why the second one?"), Step("start over", expect="Starting over"),
            Step("something for the kitchen")]]


@dataclass
class Turn:
    shopper: int
    step: int
    message: str
    ms: float
    """Until the final answer."""
    problem: str = ""
    degraded: bool = False
    items: int = 0
    busy: bool = False
    """Turned away at once because the assistant was at capacity (not an error)."""
    first_ms: float | None = None
    """Until the first update with product cards (None: the turn showed none)."""
    error: bool = False
    """The call failed (``problem`` says how); otherwise a problem is an invalid answer."""
    model: bool = False
    """The final answer carries the model's ranking (it was not degraded)."""


@dataclass
class LoadRun:
    label: str
    shoppers: int
    wall_s: float = 0.0
    turns: list[Turn] = field(default_factory=list)

    @property
    def errors(self) -> list[Turn]:
        return [t for t in self.turns if t.problem]

    def pct(self, q: float) -> float:
        """Final answers' latency percentile."""
        return _pct([t.ms for t in self.turns], q)

    def first_pct(self, q: float) -> float:
        """First cards' latency percentile (turns that showed cards)."""
        return _pct([t.first_ms for t in self.turns if t.first_ms is not None], q)

    @property
    def turns_per_s(self) -> float:
        return len(self.turns) / self.wall_s if self.wall_s else float("nan")

    @property
    def model_share(self) -> float:
        """Of the turns that showed cards, the share whose answer carries the model's output."""
        shown = [t for t in self.turns if t.first_ms is not None and not t.busy]
        return sum(t.model for t in shown) / len(shown) if shown else float("nan")

    def metrics(self) -> dict[str, Any]:
        """The ``metrics.json`` record of this run."""
        def percentiles(pct: Callable[[float], float]) -> dict[str, float | None]:
            return {f"p{q}": _rounded(pct(q)) for q in (50, 95, 99)}

        return {
            "shoppers": self.shoppers, "turns": len(self.turns),
            "errors": sum(t.error for t in self.turns),
            "invalid": sum(bool(t.problem) and not t.error for t in self.turns),
            "degraded": sum(t.degraded for t in self.turns),
            "busy": sum(t.busy for t in self.turns),
            "model_output_share": _rounded(self.model_share, 3),
            "first_cards_ms": percentiles(self.first_pct), "final_ms": percentiles(self.pct),
            "turns_per_s": _rounded(self.turns_per_s, 2),
        }


def _rounded(value: float, digits: int = 1) -> float | None:
    """JSON has no NaN: a figure with no samples is null."""
    return None if math.isnan(value) else round(value, digits)


def _pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def check_reply(reply: str, step: Step, table: ProductTable, previous: list[str]) -> str:
    """What is wrong with ``reply`` for ``step`` (empty when it is valid)."""
    return check_items(reply_item_ids(reply), reply, step, table, previous)


def check_items(ids: list[str], reply: str, step: Step, table: ProductTable,
                previous: list[str]) -> str:
    """What is wrong with the items ``ids`` and text ``reply`` of an answer to ``step``."""
    if not reply.strip():
        return "empty reply"
    if step.expect and step.expect not in reply:
        return f"reply lacks {step.expect!r}"
    for item_id in ids:
        product = table.get(item_id)
        if product is None:
            return f"item {item_id!r} is not in the catalog"
        price = float(product.price) if product.price is not None else None
        if step.price_max is not None and (price is None or price > step.price_max + 1e-6):
            return f"item {item_id} costs {price}, above {step.price_max}"
        if step.brand and product.brand.lower() != step.brand:
            return f"item {item_id} is by {product.brand}, not {step.brand}"
        if step.exclude_brand and product.brand.lower() == step.exclude_brand:
            return f"item {item_id} is by the excluded {product.brand}"
    if step.more and set(ids) & set(previous):
        return "'more' repeated items"
    return ""


class PageClient:
    """One shopper's browser session on a running page, through Gradio's documented HTTP API
    (``POST /gradio_api/call/<api>`` then its server-sent events): a client as light as a
    browser tab, so a load test measures the page, not its client library."""

    def __init__(self, url: str, timeout_s: float = 300.0, key: str | None = None) -> None:
        """``key``: sent as ``Authorization: Bearer``; default: the first of
        ``SHOPCHAT_API_KEYS`` (the page's API endpoints need one when keys are set)."""
        if key is None:
            keys = get_settings().api_key_list
            key = keys[0] if keys else None
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.http = httpx.Client(base_url=url, timeout=timeout_s, headers=headers)
        self.session = uuid.uuid4().hex

    def stream(self, api: str, *data: Any) -> Iterator[str]:
        """Each update the endpoint streams (its first output), the final one last."""
        posted = self.http.post(f"/gradio_api/call/{api}",
                                json={"data": list(data), "session_hash": self.session})
        posted.raise_for_status()
        event_id = posted.json()["event_id"]
        with self.http.stream("GET", f"/gradio_api/call/{api}/{event_id}") as reply:
            reply.raise_for_status()
            event = ""
            for line in reply.iter_lines():
                if line.startswith("event:"):
                    event = line.removeprefix("event:").strip()
                elif line.startswith("data:") and event in ("generating", "complete", "error"):
                    payload = json.loads(line.removeprefix("data:").strip())
                    if event == "error":
                        raise RuntimeError(f"/{api} failed: {payload}")
                    yield str(payload[0])
                    if event == "complete":
                        return
        raise RuntimeError(f"/{api} ended without a complete event")

    def close(self) -> None:
        self.http.close()


def run_shopper(url: str, shopper: int, script: Sequence[Step], table: ProductTable
                ) -> list[Turn]:
    client = PageClient(url)
    user = f"load-{shopper}"
    turns: list[Turn] = []
    previous: list[str] = []
    for n, step in enumerate(script):
        started = time.perf_counter()
        first: float | None = None
        error = False
        try:
            reply = ""
            for update in client.stream("chat_stream", step.message, user, ""):
                if first is None and reply_item_ids(update):
                    first = elapsed_ms(started)
                reply = update
            problem = check_reply(reply, step, table, previous)
        except Exception as exc:  # any failure is a counted error, never a crash of the bench
            reply, problem, error = "", f"{type(exc).__name__}: {exc}", True
        ms = elapsed_ms(started)
        ids = reply_item_ids(reply)
        degraded = is_degraded(reply)
        turns.append(Turn(shopper, n, step.message, ms, problem, degraded, len(ids),
                          first_ms=first, error=error,
                          model=first is not None and bool(ids) and not degraded))
        previous = ids or previous
    client.close()
    return turns


def run_load(url: str, catalog: str, table: ProductTable, shoppers: int, turns: int,
             concurrent: bool, progress: bool = True) -> LoadRun:
    scripts = SCRIPTS.get(catalog, GENERIC)
    return run_concurrent(
        "chat page", shoppers, turns,
        lambda i: run_shopper(url, i, scripts[i % len(scripts)][:turns], table),
        concurrent, progress)


def run_concurrent(what: str, count: int, turns: int, one: Callable[[int], list[Turn]],
                   concurrent: bool, progress: bool = True) -> LoadRun:
    """``one(i)`` for ``i`` in ``range(count)``, all at once or one at a time, timed."""
    label = f"{count} concurrent" if concurrent else f"{count} one at a time"
    run = LoadRun(label, count)
    bar = tqdm(total=count * turns, desc=f"{what}, {label}", disable=not progress)
    lock = threading.Lock()

    def counted(i: int) -> list[Turn]:
        done = one(i)
        with lock:
            bar.update(len(done))
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=count if concurrent else 1) as pool:
        for result in pool.map(counted, range(count)):
            run.turns.extend(result)
    run.wall_s = time.perf_counter() - started
    bar.close()
    return run


@contextmanager
def served_page(catalog: str, port: int | None = None, timeout_s: float = 300.0
                ) -> Iterator[str]:
    """``shopchat serve`` in a child process (``assistant.served``), ready on ``/readyz``;
    yields its URL."""
    from assistant.served import served_replicas

    with served_replicas(catalog, 1, timeout_s=timeout_s,
                         ports=[port] if port else None) as (replica,):
        yield replica.url
