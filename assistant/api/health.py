"""``GET /healthz`` (the process answers) and ``GET /readyz`` (what it needs answers too).

Readiness checks every opened catalog's Chroma collection, the databases behind sessions and
events (their ``ping()``, where the store has one), and the language model (its backend's
``ping()``); each check runs with a time limit, all at once. 200 when all answer, else 503
naming the failing components and why.

Probes need no key, so an unauthenticated caller learns only each component's ok or failed and
a short reason class (``timeout``, ``OperationalError``); what answered and the exception text
(hosts, counts; URL passwords always redacted) go to API key holders, or to everyone when no
keys are configured.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from assistant.api.auth import AuthError, authenticate
from assistant.api.models import ComponentStatus, Health, Readiness
from assistant.service import Assistant
from assistant.ui.shop import Shop
from shopchat.database import redact

log = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 5.0
COMPONENTS = ("chroma", "database", "llm")

router = APIRouter(tags=["health"])

Check = Callable[[], str]

URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+")


def redacted(text: str) -> str:
    """``text`` with every URL's password replaced (``postgresql://u:***@host/db``)."""
    return URL.sub(lambda m: redact(m.group(0)), text)


def _chroma(bot: Assistant) -> str:
    count = bot.searcher.collection.count()
    return f"{bot.searcher.catalog}: {count} products"


def _database(bot: Assistant) -> str:
    stores: list[tuple[str, Any]] = [("sessions", bot.sessions)]
    if bot.personaliser is not None:
        stores.append(("events", bot.personaliser.events))
    answered = []
    for name, store in stores:
        ping = getattr(store, "ping", None)
        if ping is None:  # an in-memory store: nothing to reach
            continue
        ping()
        answered.append(name)
    return f"{bot.searcher.catalog}: {', '.join(answered) or 'in-memory stores'} answered"


def _llm(bot: Assistant) -> str:
    if bot.llm is None:
        return "no model configured (retrieval-only answers)"
    ping = getattr(bot.llm, "ping", None)
    if ping is None:
        return f"{bot.llm.name}: no reachability check"
    return str(ping() or f"{bot.llm.name} answered")


def checks(shop: Shop) -> dict[str, list[Check]]:
    """The checks per component, over every catalog opened so far."""
    bots = shop.opened()
    llms = {id(b.llm): b for b in bots}  # catalogs usually share one model
    return {
        "chroma": [partial(_chroma, b) for b in bots],
        "database": [partial(_database, b) for b in bots],
        "llm": [partial(_llm, b) for b in llms.values()],
    }


def readiness(shop: Shop, timeout_s: float = CHECK_TIMEOUT_S) -> Readiness:
    planned = checks(shop)
    components: dict[str, ComponentStatus] = {}
    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readyz")
    try:
        futures = {name: [pool.submit(c) for c in found] for name, found in planned.items()}
        for name, running in futures.items():
            details: list[str] = []
            reasons: list[str] = []
            for future in running:
                try:
                    details.append(future.result(timeout=timeout_s))
                except FutureTimeout:
                    reasons.append("timeout")
                    details.append(f"no answer within {timeout_s:g}s")
                except Exception as exc:  # any failure is the component's status, never a 500
                    reasons.append(type(exc).__name__)
                    details.append(f"{type(exc).__name__}: {exc}")
            components[name] = ComponentStatus(
                ok=not reasons, detail=redacted("; ".join(details) or "not used"),
                reason=", ".join(dict.fromkeys(reasons)) or None)
    finally:  # a check that hangs is left behind, never waited for
        pool.shutdown(wait=False, cancel_futures=True)
    failing = [n for n in COMPONENTS if not components[n].ok]
    if failing:
        log.warning("not ready: %s", "; ".join(f"{n}: {components[n].detail}" for n in failing))
    return Readiness(status="unavailable" if failing else "ready", components=components,
                     failing=failing)


@router.get("/healthz", response_model=Health, summary="The process is up")
async def healthz() -> Health:
    return Health()


@router.get("/readyz", response_model=Readiness, summary="Chroma, database and model reachable",
            responses={503: {"model": Readiness, "description": "A component is unreachable: "
                                                                "``failing`` names it"}})
def readyz(request: Request) -> JSONResponse:
    """Full details for an API key holder (or anyone when no keys are set); otherwise only
    ok or failed and a reason class per component."""
    shop: Shop = request.app.state.shop
    report = readiness(shop)
    if not may_see_details(request.headers.get("authorization"), shop):
        report = summary(report)
    return JSONResponse(report.model_dump(exclude_none=True),
                        status_code=503 if report.failing else 200)


def may_see_details(authorization: str | None, shop: Shop) -> bool:
    if not shop.settings.api_key_list:
        return True
    try:
        return authenticate(authorization, shop.settings).key
    except AuthError:  # a probe with a wrong key still gets the summary, never a 401
        return False


def summary(report: Readiness) -> Readiness:
    """``report`` without hosts, counts or exception text."""
    return report.model_copy(update={"components": {
        name: ComponentStatus(ok=c.ok, detail="ok" if c.ok else "failed", reason=c.reason)
        for name, c in report.components.items()}})
