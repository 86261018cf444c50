"""The chat page's view of shopchat: one Assistant per indexed catalog, shoppers and their history.

Browser sessions never share state: each gets its own conversation per (shopper, catalog),
and "guest" is a separate anonymous shopper per browser session whose events are forgotten
when the page closes.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping, Sequence

from assistant.api.tokens import TokenError, verify_token
from assistant.service import Assistant
from retrieval.profiles import ForgetReport, StoredEvent
from shopchat.errors import IndexNotBuiltError
from shopchat.settings import Settings

log = logging.getLogger(__name__)

GUEST = "guest"
GUEST_PREFIX = "guest-"


def indexed_catalogs(settings: Settings) -> list[str]:
    """Catalogs with a built lexical index under ``settings.home`` (sorted)."""
    root = settings.home / "lexical"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.iterdir()))


def shopper_id(selected: str, browser_session: str) -> str:
    """The user id behind a selector value: "guest" is one anonymous shopper per browser."""
    selected = (selected or GUEST).strip()
    if selected == GUEST:
        return GUEST_PREFIX + hashlib.sha1(browser_session.encode(), usedforsecurity=False
                                           ).hexdigest()[:12]
    return selected


def page_shopper(token: str | None, browser_session: str, settings: Settings
                 ) -> tuple[str, str]:
    """The page's shopper outside demo mode, and a notice for the page ("" when none).

    The user id in a valid ``?token=`` the storefront signed; otherwise this browser's guest
    (a forged or expired token says so).
    """
    guest = shopper_id(GUEST, browser_session)
    if not token:
        return guest, ""
    if not settings.token_secret:
        return guest, "This page does not take shopper tokens: you are shopping as a guest."
    try:
        return verify_token(token, settings.token_secret,
                            max_ttl_s=settings.token_max_ttl).user_id, ""
    except TokenError as exc:
        log.info("page token refused (%s)", exc.cause)
        return guest, f"Your sign-in link is not valid ({exc.cause}): you are shopping as a guest."


def conversation_id(browser_session: str, user_id: str, catalog: str, channel: str) -> str:
    """A session id private to one browser (or API client), shopper, catalog and channel."""
    raw = "\x1f".join((channel, browser_session, user_id, catalog))
    return f"{channel}-" + hashlib.sha256(raw.encode()).hexdigest()[:32]


class Shop:
    """Assistants opened on first use (the default one eagerly), shared by every browser."""

    def __init__(self, settings: Settings, catalogs: Sequence[str], default: str,
                 assistants: Mapping[str, Assistant] | None = None) -> None:
        """``assistants``: already opened ones by catalog (others open on first use)."""
        if default not in catalogs:
            raise IndexNotBuiltError(
                f"catalog {default!r} is not indexed under {settings.home} "
                f"(indexed: {', '.join(catalogs) or 'none'}): run "
                f"`shopchat index --catalog {default}` first"
            )
        self.settings = settings
        self.catalogs = list(catalogs)
        self.default = default
        self._assistants: dict[str, Assistant] = dict(assistants or {})
        self._lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, default: str | None = None,
             catalogs: Sequence[str] | None = None) -> Shop:
        found = list(catalogs) if catalogs is not None else indexed_catalogs(settings)
        shop = cls(settings, found, default or settings.default_catalog)
        shop.assistant(shop.default)  # load the index, embedder and model before serving
        return shop

    def assistant(self, catalog: str | None = None) -> Assistant:
        catalog = catalog or self.default
        if catalog not in self.catalogs:
            raise IndexNotBuiltError(f"catalog {catalog!r} is not served here")
        with self._lock:
            bot = self._assistants.get(catalog)
            if bot is None:
                log.debug("opening catalog %s", catalog)
                bot = self._assistants[catalog] = Assistant.open(catalog, self.settings)
            return bot

    def shoppers(self, catalog: str) -> list[str]:
        """Guest, then the catalog's most active customers."""
        personaliser = self.assistant(catalog).personaliser
        users = personaliser.shoppers(self.settings.ui_shoppers + 50) if personaliser else []
        real = [u for u in users if not u.startswith(GUEST_PREFIX)]
        return [GUEST, *real[: self.settings.ui_shoppers]]

    def history(self, catalog: str, user_id: str, n: int = 8) -> list[StoredEvent]:
        personaliser = self.assistant(catalog).personaliser
        return personaliser.recent_events(user_id, n) if personaliser else []

    def record(self, catalog: str, user_id: str, item_id: str, event: str) -> None:
        self.assistant(catalog).record(user_id, item_id, event)

    def end_conversation(self, catalog: str, session_id: str) -> None:
        self.assistant(catalog).sessions.drop(session_id)

    def opened(self) -> list[Assistant]:
        """The assistants opened so far (the default one at least, once served)."""
        with self._lock:
            return list(self._assistants.values())

    def forget(self, user_id: str) -> list[tuple[str, ForgetReport]]:
        """Drop ``user_id``'s conversations, events and profile in every catalog served."""
        return [(catalog, self.assistant(catalog).forget(user_id)) for catalog in self.catalogs]

    def forget_guest(self, user_id: str) -> None:
        """Drop an anonymous guest's events and profile from every opened catalog."""
        if not user_id.startswith(GUEST_PREFIX):
            return
        with self._lock:
            bots = list(self._assistants.values())
        for bot in bots:
            try:
                bot.forget(user_id)
            except Exception:  # a page closing must never fail; the store reports its own errors
                log.exception("could not forget guest %s", user_id)

    def close(self) -> None:
        with self._lock:
            bots = list(self._assistants.values())
            self._assistants.clear()
        for bot in bots:
            if bot.personaliser is not None:
                bot.personaliser.close()
            bot.searcher.close()
            bot.close()  # its session store's connections
