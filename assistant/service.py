"""The assistant: ``ask`` / ``ask_stream`` run one conversation turn (``assistant.turn``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

from assistant.answer import Answer, AnswerEvent, Event, describe_filters
from assistant.intents import Intent
from assistant.llm import get_llm
from assistant.llm.base import LLM
from assistant.llm.gate import GatedLLM, ModelGate
from assistant.phrases import phrase
from assistant.prompts import MAX_ABOUT_CHARS
from assistant.rerank import RerankConfig
from assistant.session import SessionStore
from assistant.turn import TurnPipeline
from retrieval import Searcher, open_searcher
from retrieval.profiles import ForgetReport, Personaliser, Profile
from shopchat.errors import ConfigError
from shopchat.ids import check_user_id
from shopchat.language import language_of
from shopchat.settings import Settings, get_settings

log = logging.getLogger(__name__)

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
    """

    def __init__(
        self,
        searcher: Searcher,
        llm: LLM | None,
        settings: Settings,
        sessions: SessionStore | None = None,
        personaliser: Personaliser | None = None,
        rerank_config: RerankConfig | None = None,
    ) -> None:
        self.searcher = searcher
        self.llm = llm
        self.settings = settings
        self.sessions = sessions or SessionStore()
        self.personaliser = personaliser
        self._capacity = threading.BoundedSemaphore(max(1, settings.max_turns_in_flight))
        self.rerank_config = rerank_config or default_rerank_config(settings, llm)
        self.model_gate = model_gate(settings, llm)
        gated = GatedLLM(llm, self.model_gate) if llm is not None else None
        self.pipeline = TurnPipeline(searcher, gated, settings, self.rerank_config, personaliser)

    @classmethod
    def open(cls, catalog: str | None = None, settings: Settings | None = None) -> Assistant:
        settings = settings or get_settings()
        searcher = open_searcher(catalog or settings.default_catalog, settings)
        personaliser = Personaliser.open(searcher, settings) if settings.personalise else None
        return cls(searcher, get_llm(settings), settings, personaliser=personaliser)

    def record(self, user_id: str, item_id: str, event: str) -> Profile:
        """A like, dislike, click... by ``user_id``: their next turn already reflects it."""
        if self.personaliser is None:
            raise ConfigError("personalisation is off (SHOPCHAT_PERSONALISE=false)")
        return self.personaliser.record(check_user_id(user_id), item_id, event)

    def forget(self, user_id: str) -> ForgetReport | None:
        """Drop ``user_id``'s sessions, events and profile; None when personalisation is off."""
        user_id = check_user_id(user_id)
        self.sessions.drop_user(user_id)
        return self.personaliser.forget(user_id) if self.personaliser is not None else None

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
        session = self.sessions.get(check_user_id(user_id), session_id)
        if not self._capacity.acquire(blocking=False):
            log.warning("busy: %d turns in flight", self.settings.max_turns_in_flight)
            yield AnswerEvent(answer=Answer(
                session_id=session.id, intent=Intent.BUSY, degraded=True, degraded_reason="busy",
                message=phrase(language_of(str(query)), "busy"),
                language=language_of(str(query)),
                constraints=describe_filters(session.filters)))
            return
        try:
            with session.lock:
                yield from self.pipeline.run(session, query)
        finally:
            self._capacity.release()
