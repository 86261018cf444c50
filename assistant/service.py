"""The assistant: ``ask`` / ``ask_stream`` run one conversation turn (``assistant.turn``).

Around a turn: the session is loaded from its store (``assistant.session``), the turn runs on
it, and its new state is saved once, before the final answer is yielded. With the database
store (``DatabaseSessions``, the default of ``Assistant.open``) a turn works on a copy, so one
that fails half-way, or whose caller stops reading early, leaves the stored session as it was;
the in-memory ``SessionStore`` hands out the live session, which such a turn may have changed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import replace

from assistant.answer import Answer, AnswerEvent, Event, describe_filters
from assistant.intents import Intent
from assistant.llm import get_llm
from assistant.llm.base import LLM
from assistant.llm.gate import GatedLLM, ModelGate
from assistant.phrases import phrase
from assistant.prompts import MAX_ABOUT_CHARS
from assistant.rerank import RerankConfig
from assistant.session import (
    Loaded,
    SaveStatus,
    SessionLocks,
    Sessions,
    SessionStore,
    check_session_id,
    new_session_id,
)
from assistant.session_store import DatabaseSessions
from assistant.turn import TurnPipeline
from retrieval import Searcher, open_searcher
from retrieval.profiles import ForgetReport, Personaliser, Profile
from shopchat.errors import ConfigError, StoreError
from shopchat.ids import check_user_id
from shopchat.language import language_of
from shopchat.settings import Settings, get_settings

log = logging.getLogger(__name__)

SESSIONS_UNAVAILABLE = "sessions_unavailable"
"""``Answer.degraded_reason`` when the conversation could not be read or saved (it is kept in
this process meanwhile)."""


def default_rerank_config(settings: Settings, llm: LLM | None) -> RerankConfig:
    about = settings.llm_item_chars
    if about is None:  # the backend's preference: fewer prompt tokens on a CPU model
        about = int(getattr(llm, "prompt_item_chars", MAX_ABOUT_CHARS))
    return RerankConfig(
        top_n=settings.rerank_top_n, explain=settings.answer_items, about_chars=about
    )


def model_gate(settings: Settings, llm: LLM | None) -> ModelGate:
    """The bound on model calls: ``SHOPCHAT_LLM_CONCURRENCY`` at once (default 1 for a model in
    this process, 8 for a server) and ``SHOPCHAT_LLM_QUEUE`` waiting."""
    slots = settings.llm_concurrency or int(getattr(llm, "model_slots", 1))
    return ModelGate(slots, settings.llm_queue)


class Assistant:
    """The public face: ``ask`` / ``ask_stream`` / ``record`` / ``forget`` for one catalog.

    Owns the sessions and the bound on turns in flight; each turn runs in ``TurnPipeline``.
    ``sessions`` defaults to memory here; ``Assistant.open`` keeps them in the database.
    """

    def __init__(
        self,
        searcher: Searcher,
        llm: LLM | None,
        settings: Settings,
        sessions: Sessions | None = None,
        personaliser: Personaliser | None = None,
        rerank_config: RerankConfig | None = None,
    ) -> None:
        self.searcher = searcher
        self.llm = llm
        self.settings = settings
        self.sessions: Sessions = (
            SessionStore(ttl=settings.session_ttl) if sessions is None else sessions)
        self._session_locks = SessionLocks()
        self.personaliser = personaliser
        self._capacity = threading.BoundedSemaphore(max(1, settings.max_turns_in_flight))
        self.rerank_config = rerank_config or default_rerank_config(settings, llm)
        self.model_gate = model_gate(settings, llm)
        gated = GatedLLM(llm, self.model_gate) if llm is not None else None
        self.pipeline = TurnPipeline(searcher, gated, settings, self.rerank_config, personaliser)

    @classmethod
    def open(cls, catalog: str | None = None, settings: Settings | None = None,
             sessions: Sessions | None = None) -> Assistant:
        """The catalog's assistant; sessions in the configured database unless given."""
        settings = settings or get_settings()
        catalog = catalog or settings.default_catalog
        searcher = open_searcher(catalog, settings)
        personaliser = Personaliser.open(searcher, settings) if settings.personalise else None
        if sessions is None:
            sessions = DatabaseSessions.open(settings, catalog)
        return cls(searcher, get_llm(settings), settings, sessions, personaliser)

    def record(self, user_id: str, item_id: str, event: str) -> Profile:
        """A like, dislike, click... by ``user_id``: their next turn already reflects it."""
        if self.personaliser is None:
            raise ConfigError("personalisation is off (SHOPCHAT_PERSONALISE=false)")
        return self.personaliser.record(check_user_id(user_id), item_id, event)

    def forget(self, user_id: str) -> ForgetReport:
        """Drop ``user_id``'s sessions (every catalog's), events and profile; says what went
        (no events or profile when personalisation is off)."""
        user_id = check_user_id(user_id)
        conversations = self.sessions.drop_user(user_id)
        if self.personaliser is None:
            return ForgetReport(user_id, self.searcher.catalog, 0, False, conversations)
        return replace(self.personaliser.forget(user_id), conversations=conversations)

    def ask(self, user_id: str, query: str, session_id: str | None = None) -> Answer:
        answer = None
        for event in self.ask_stream(user_id, query, session_id):
            if isinstance(event, AnswerEvent):
                answer = event.answer
        assert answer is not None  # ask_stream always ends with an AnswerEvent
        return answer

    def ask_stream(
        self, user_id: str, query: str, session_id: str | None = None
    ) -> Iterator[Event]:
        """Candidates first, then the reranked items with reasons, then the final answer.

        Beyond ``max_turns_in_flight`` turns at once the answer is an immediate "busy" one
        (``Intent.BUSY``), never a wait in an unbounded queue.
        """
        user_id = check_user_id(user_id)
        if session_id is not None:
            check_session_id(session_id)
        if not self._capacity.acquire(blocking=False):
            log.warning("busy: %d turns in flight", self.settings.max_turns_in_flight)
            yield AnswerEvent(answer=self._busy(user_id, query, session_id))
            return
        try:
            # turns of one conversation in this process run one after another
            held = self._session_locks.hold(session_id) if session_id else nullcontext()
            with held:
                loaded = self.sessions.load(user_id, session_id)
                for event in self.pipeline.run(loaded.session, query):
                    if isinstance(event, AnswerEvent):
                        saved = self.sessions.save(loaded.session)
                        event = AnswerEvent(answer=session_news(event.answer, loaded, saved))
                    yield event
        finally:
            self._capacity.release()

    def _busy(self, user_id: str, query: str, session_id: str | None) -> Answer:
        lang = language_of(str(query))
        try:
            loaded: Loaded | None = self.sessions.load(user_id, session_id)
        except StoreError:
            loaded = None
        answer = Answer(
            session_id=loaded.session.id if loaded else session_id or new_session_id(),
            intent=Intent.BUSY, degraded=True, degraded_reason="busy",
            message=phrase(lang, "busy"), language=lang,
            constraints=describe_filters(loaded.session.filters) if loaded else {})
        if loaded is None:
            return answer.model_copy(update={
                "new_session": True, "session_status": "new" if session_id is None else "unknown"})
        return session_news(answer, loaded, "saved")

    def close(self) -> None:
        """Release the session store's connections (the searcher and personaliser are the
        caller's to close)."""
        self.sessions.close()


def session_news(answer: Answer, loaded: Loaded, saved: SaveStatus) -> Answer:
    """``answer`` saying what became of the conversation (``session_status``): one that
    expired (a note before the message), one only this process keeps (a degraded note), a turn
    that could not be saved because the conversation changed elsewhere meanwhile (a note).

    A turn with an id the store does not have (``unknown``) is a new conversation without a
    note here: the page picks its conversation's id before the first turn (the HTTP API adds
    its own note).
    """
    lang = answer.language
    notes: list[str] = []
    update: dict[str, object] = {"new_session": loaded.status != "continued",
                                 "session_status": loaded.status}
    message = answer.message
    if loaded.status == "expired":
        notes.append(phrase(lang, "session_expired"))
        message = f"_{notes[-1]}_\n\n{message}"
    if saved == "refused":
        notes.append(phrase(lang, "session_not_saved"))
        message = f"{message}\n\n_{notes[-1]}_"
    if loaded.degraded or saved == "kept":
        notes.append(phrase(lang, "sessions_unavailable"))
        message = f"{message}\n\n_{notes[-1]}_"
        reason = answer.degraded_reason
        update.update(degraded=True, degraded_reason=SESSIONS_UNAVAILABLE if not reason
                      else f"{reason}; {SESSIONS_UNAVAILABLE}")
    if notes:
        update.update(session_note=phrase(lang, "sentence_gap").join(notes), message=message)
    return answer.model_copy(update=update)
