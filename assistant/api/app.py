"""The server: the HTTP API and the chat page in one FastAPI app, run by uvicorn.

    app = build_server(shop)          # /api/v1/*, /healthz, /readyz, /docs, and the page at /
    serve(shop, host, port)           # uvicorn, until Ctrl-C
    with start_server(shop) as url:   # in a background thread (tests)
        ...
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from assistant.api import health, routes
from assistant.api.auth import AuthError, ForbiddenError, authenticate, warn_if_open
from assistant.llm.base import LLMError
from assistant.ui.shop import Shop
from shopchat.errors import ConfigError, IndexNotBuiltError, ShopchatError, StoreError
from shopchat.net import free_port
from shopchat.settings import Settings

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIX = "/api/"
API_ROUTES = "/api/v1/"

DESCRIPTION = """Conversational product search for a storefront's server.

Authenticate with `Authorization: Bearer <key>` (`SHOPCHAT_API_KEYS`): a key acts for any
shopper. A shopper token (`shopchat token --user U`, signed with `SHOPCHAT_TOKEN_SECRET`) acts
only as its own user. Errors are `{"error": "..."}` with 400, 401, 403, 404, 413, 422 or 503.
"""


def status_for(exc: ShopchatError) -> int:
    if isinstance(exc, AuthError):
        return 401
    if isinstance(exc, ForbiddenError):
        return 403
    if isinstance(exc, IndexNotBuiltError):
        return 404
    if isinstance(exc, StoreError | LLMError):
        return 503
    if isinstance(exc, ConfigError):
        return 501  # this server is set up without it (personalisation off...)
    return 400


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def _shopchat_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ShopchatError)
    status = status_for(exc)
    if status >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return _error(status, str(exc), headers)


def describe_validation(exc: RequestValidationError) -> str:
    """One phrase per problem, each naming its field ("message: Field required")."""
    parts = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ()) if p != "body"]
        if error.get("type") == "json_invalid":
            cause = (error.get("ctx") or {}).get("error", error.get("msg", ""))
            parts.append(f"malformed JSON at character {loc[0] if loc else '?'}: {cause}")
            continue
        field = ".".join(loc) or "body"
        parts.append(f"{field}: {error.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _error(422, describe_validation(exc))


class BodyLimit:
    """Refuse an API request body over ``limit`` bytes (413) before any route reads it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        chunks: list[Message] = []  # API bodies are small: read it all, then replay it
        size = 0
        while True:
            message = await receive()
            chunks.append(message)
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay() -> Message:
            return chunks.pop(0) if chunks else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error(413, f"request body over {self.limit} bytes "
                               "(SHOPCHAT_API_MAX_BODY)")
        await response(scope, receive, send)


class ApiAuth:
    """Name the caller of an ``/api/v1`` route before anything reads its body: without valid
    credentials (when keys are set) a 401, never a 422 about a body nobody may send."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(API_ROUTES):
            header = dict(scope.get("headers") or []).get(b"authorization", b"")
            try:
                caller = authenticate(header.decode("latin-1"), self.settings)
            except AuthError as exc:
                response = _error(401, str(exc), {"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["caller"] = caller  # request.state.caller
        await self.app(scope, receive, send)


class NoReferrer:
    """``Referrer-Policy: no-referrer`` on every response: a page opened with ``?token=`` never
    sends its address (the token) to the product images and links it shows."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"referrer-policy"]
                message["headers"] = [*headers, (b"referrer-policy", b"no-referrer")]
            await send(message)

        await self.app(scope, receive, send_with_policy)


def build_server(shop: Shop) -> FastAPI:
    """The API routes, then the chat page mounted at ``/`` (its styling and limits)."""
    from assistant.ui.app import build_app, mount_page

    settings = shop.settings
    threads = max(40, settings.ui_concurrency + 8)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # sync routes (ask, events) run in anyio's threads: as many as the page's turns
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        warn_if_open(settings)
        yield
        app.state.turns.shutdown(wait=False, cancel_futures=True)

    # /docs with Swagger UI's files served from the package, not a CDN (works offline)
    app = FastAPIOffline(title="shopchat", description=DESCRIPTION, version="1",
                         lifespan=lifespan)
    app.state.shop = shop
    app.state.turns = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="api-turn")
    app.add_middleware(BodyLimit, limit=settings.api_max_body)
    app.add_middleware(ApiAuth, settings=settings)  # added last: runs first, before the body
    app.add_middleware(NoReferrer)
    app.add_exception_handler(ShopchatError, _shopchat_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(health.router)
    app.include_router(routes.router)
    blocks = build_app(shop)
    app.state.blocks = blocks
    return mount_page(app, blocks, shop)


def _config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_level="warning",
                          timeout_graceful_shutdown=5, proxy_headers=True)


def serve(shop: Shop, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve the API and the page until interrupted."""
    uvicorn.Server(_config(build_server(shop), host, port)).run()


@dataclass
class RunningServer:
    """A server on a background thread: ``local_url``, ``close()``."""

    app: FastAPI
    server: uvicorn.Server
    thread: threading.Thread
    local_url: str

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=0.5)
        if self.thread.is_alive():  # open keep-alive or event streams: stop waiting on them
            self.server.force_exit = True
            self.thread.join(timeout=30)
        blocks = getattr(self.app.state, "blocks", None)
        if blocks is not None:
            blocks.close()


def start_server(shop: Shop, host: str = "127.0.0.1", port: int | None = None,
                 timeout_s: float = 60.0) -> RunningServer:
    """Start serving on a background thread (``port=None``: a free one); returns once up."""
    port = port or free_port()
    app = build_server(shop)
    server = uvicorn.Server(_config(app, host, port))
    thread = threading.Thread(target=server.run, name=f"shopchat-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.05)
    return RunningServer(app, server, thread, f"http://{host}:{port}/")
