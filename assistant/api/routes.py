"""``/api/v1``: ask, ask/stream (server-sent events), events, forget — for a storefront's server.

Every route names its caller first (``assistant.api.auth``, checked by ``ApiAuth`` before the
body is read): with ``SHOPCHAT_API_KEYS`` set a key acts for any shopper, a shopper token only
for its own user. Turns run in worker threads:
the event loop never waits on a search or the model.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor
from contextlib import closing
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPBearer

from assistant.answer import Answer, Event
from assistant.api.auth import Caller, authenticate
from assistant.api.models import (
    AnswerEvent,
    AskRequest,
    CandidatesEvent,
    ErrorBody,
    EventRecorded,
    EventRequest,
    Forgotten,
    ForgottenCatalog,
    ReasonsEvent,
)
from assistant.service import Assistant
from assistant.ui.shop import Shop
from shopchat.errors import IndexNotBuiltError

log = logging.getLogger(__name__)

bearer = HTTPBearer(auto_error=False, description="An API key (SHOPCHAT_API_KEYS): acts for "
                    "any shopper; or a shopper token (`shopchat token`): acts only as its user.")

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid input (a user id, a session of "
                                             "another shopper, an unknown item)"},
    401: {"model": ErrorBody, "description": "Missing or invalid key, expired or forged token"},
    403: {"model": ErrorBody, "description": "A shopper token acting as another shopper"},
    404: {"model": ErrorBody, "description": "Unknown catalog"},
    413: {"model": ErrorBody, "description": "Body over SHOPCHAT_API_MAX_BODY bytes"},
    422: {"model": ErrorBody, "description": "Malformed JSON or a missing/invalid field "
                                             "(the message names it)"},
    503: {"model": ErrorBody, "description": "A store (Chroma, the database) is unavailable"},
}


def shop_of(request: Request) -> Shop:
    shop: Shop = request.app.state.shop
    return shop


def caller(request: Request, _: Annotated[Any, Depends(bearer)]) -> Caller:
    """Who ``ApiAuth`` (``assistant.api.app``) found calling, before the body was read."""
    found = getattr(request.state, "caller", None)
    if isinstance(found, Caller):
        return found
    return authenticate(request.headers.get("authorization"), shop_of(request).settings)


Who = Annotated[Caller, Depends(caller)]
"""The route's caller (computed once per request, before the body is used)."""

router = APIRouter(prefix="/api/v1", responses=ERRORS, dependencies=[Depends(caller)])


def assistant_for(shop: Shop, catalog: str | None) -> Assistant:
    name = catalog or shop.default
    if name not in shop.catalogs:
        raise IndexNotBuiltError(f"unknown catalog {name!r}; served here: "
                                 f"{', '.join(shop.catalogs)}")
    return shop.assistant(name)


@router.post("/ask", response_model=Answer, tags=["conversation"],
             summary="One conversation turn: the answer")
def ask(body: AskRequest, request: Request, who: Who) -> Answer:
    """The same ``Answer`` as ``Assistant.ask``: items with reasons, the message, the active
    constraints, facets; ``session_id`` continues the conversation next turn."""
    user = who.act_as(body.user_id)
    answer = assistant_for(shop_of(request), body.catalog).ask(user, body.message,
                                                               body.session_id)
    return note_unknown_session(answer, body.session_id)


def note_unknown_session(answer: Answer, session_id: str | None) -> Answer:
    """A ``session_id`` nobody knows began a new conversation: say so in ``session_note``."""
    if session_id and answer.session_status == "unknown" and not answer.session_note:
        answer.session_note = (f"session {session_id!r} was not found (never started, or "
                               "forgotten): this is a new conversation")
    return answer


@router.post("/ask/stream", tags=["conversation"], summary="One turn as server-sent events",
             response_class=StreamingResponse,
             responses={200: {"model": CandidatesEvent | ReasonsEvent | AnswerEvent,
                              "content": {"text/event-stream": {}}, "description":
                              "`candidates` (CandidatesEvent) as soon as retrieval has them, "
                              "`reasons` (ReasonsEvent) once ranked and explained, `answer` "
                              "(AnswerEvent) last; `error` ({\"error\": ...}) if the turn "
                              "fails midway"}})
async def ask_stream(body: AskRequest, request: Request,
                     who: Who) -> StreamingResponse:
    user = who.act_as(body.user_id)
    bot = assistant_for(shop_of(request), body.catalog)
    events = _threaded(lambda: _noted(bot.ask_stream(user, body.message, body.session_id),
                                      body.session_id), request.app.state.turns)
    first = await anext(events)  # a turn refused at once (bad session...) is an HTTP error
    return StreamingResponse(_sse(first, events), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _noted(events: Iterator[Event], session_id: str | None) -> Iterator[Event]:
    with closing(events):  # type: ignore[type-var]
        for event in events:
            if isinstance(event, AnswerEvent):
                note_unknown_session(event.answer, session_id)
            yield event


def sse(event: Event | dict[str, Any]) -> str:
    if isinstance(event, dict):
        return f"event: error\ndata: {json.dumps(event)}\n\n"
    return f"event: {event.type}\ndata: {event.model_dump_json()}\n\n"


async def _sse(first: Event, rest: AsyncIterator[Event]) -> AsyncIterator[str]:
    yield sse(first)
    try:
        async for event in rest:
            yield sse(event)
    except Exception as exc:  # headers are sent: the failure becomes the stream's last event
        log.exception("stream failed midway")
        yield sse({"error": str(exc)})


async def _threaded(start: Callable[[], Iterator[Event]], pool: Executor
                    ) -> AsyncIterator[Event]:
    """``start()``'s events, produced in one worker thread (the turn's locks stay there)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    stop = threading.Event()

    def produce() -> None:
        try:
            with closing(start()) as events:  # type: ignore[type-var]
                for event in events:
                    loop.call_soon_threadsafe(queue.put_nowait, ("event", event))
                    if stop.is_set():  # the client went away
                        break
        except BaseException as exc:
            loop.call_soon_threadsafe(queue.put_nowait, ("error", exc))
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, ("end", None))

    loop.run_in_executor(pool, produce)
    try:
        while True:
            kind, value = await queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


@router.post("/events", response_model=EventRecorded, tags=["shoppers"],
             summary="Record a like, dislike, click, cart or purchase")
def record_event(body: EventRequest, request: Request,
                 who: Who) -> EventRecorded:
    """The shopper's next answer already reflects it."""
    user = who.act_as(body.user_id)
    bot = assistant_for(shop_of(request), body.catalog)
    profile = bot.record(user, body.item_id, body.event)
    return EventRecorded(user_id=profile.user_id, item_id=body.item_id, event=body.event,
                         catalog=bot.searcher.catalog, events=profile.events)


@router.delete("/users/{user_id}", response_model=Forgotten, tags=["shoppers"],
               summary="Forget a shopper: conversations, events and profiles")
def forget_user(user_id: str, request: Request, who: Who) -> Forgotten:
    """In every catalog this server serves."""
    user = who.act_as(user_id)
    reports = shop_of(request).forget(user)
    conversations = sum(r.conversations for _, r in reports)
    return Forgotten(user_id=user, conversations=conversations, catalogs=[
        ForgottenCatalog(catalog=catalog, events=r.events,
                         profile=r.profile) for catalog, r in reports])
