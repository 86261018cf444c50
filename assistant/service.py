"""The assistant: ``ask`` / ``ask_stream`` run one conversation turn end to end."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

from assistant.answer import (
    Answer,
    AnswerEvent,
    AnswerItem,
    CandidatesEvent,
    Event,
    ReasonsEvent,
    describe_filters,
)
from assistant.followups import compare, extreme, why
from assistant.intents import Intent, Turn, classify, residual_words
from assistant.llm import get_llm
from assistant.llm.base import LLM
from assistant.markdown import md_escape
from assistant.messages import degraded_note, results_message
from assistant.personal import history_for, recommend_turn, search_for
from assistant.prompts import MAX_ABOUT_CHARS
from assistant.reasons import format_price
from assistant.refine import refine_filters
from assistant.rerank import RerankConfig, rerank
from assistant.session import Session, SessionStore
from retrieval import Searcher, open_searcher
from retrieval.profiles import ForgetReport, Personaliser, Profile
from retrieval.types import Candidate, ParsedQuery
from shopchat.errors import ConfigError
from shopchat.ids import check_user_id
from shopchat.records import Product
from shopchat.settings import Settings, get_settings
from shopchat.text import single_spaced
from shopchat.timing import elapsed_ms

log = logging.getLogger(__name__)

class Assistant:
    def __init__(
        self,
        searcher: Searcher,
        llm: LLM | None,
        settings: Settings,
        sessions: SessionStore | None = None,
        personaliser: Personaliser | None = None,
    ) -> None:
        self.searcher = searcher
        self.llm = llm
        self.settings = settings
        self.sessions = sessions or SessionStore()
        self.personaliser = personaliser
        self._capacity = threading.BoundedSemaphore(max(1, settings.max_turns_in_flight))
        about = settings.llm_item_chars
        if about is None:  # the backend's preference: fewer prompt tokens on a CPU model
            about = int(getattr(llm, "prompt_item_chars", MAX_ABOUT_CHARS))
        self.rerank_config = RerankConfig(
            top_n=settings.rerank_top_n, explain=settings.answer_items, about_chars=about
        )

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
        (intent ``busy``), never a wait in an unbounded queue.
        """
        session = self.sessions.get(check_user_id(user_id), session_id)
        if not self._capacity.acquire(blocking=False):
            log.warning("busy: %d turns in flight", self.settings.max_turns_in_flight)
            yield AnswerEvent(answer=Answer(
                session_id=session.id, intent="busy", degraded=True, degraded_reason="busy",
                message="The assistant is busy right now; please try again in a moment.",
                constraints=describe_filters(session.filters)))
            return
        try:
            with session.lock:
                yield from self._turn(session, query)
        finally:
            self._capacity.release()

    def _turn(self, session: Session, query: str) -> Iterator[Event]:
        started = time.perf_counter()
        text = single_spaced(str(query))
        profile = self._profile(session.user_id)
        if not text and profile is not None:
            yield from recommend_turn(self, session, profile, started)
            return
        if not text:
            yield self._reply(
                session,
                text,
                "Tell me what you are looking for, e.g. “wireless mouse under $30”.",
                intent="empty",
            )
            return
        if len(text) > self.settings.max_query_chars:
            yield self._reply(
                session,
                text[:80],
                f"That message is {len(text)} characters long; "
                f"the limit is {self.settings.max_query_chars}.",
                intent="too_long",
            )
            return
        parsed = self.searcher.parse(text)
        turn = classify(text, parsed.text, has_results=bool(session.shown))
        if turn.intent is Intent.RESET:
            session.reset()
            yield self._reply(session, text, "Starting over. What are you looking for?", "reset")
            return
        if turn.intent in (Intent.WHY, Intent.COMPARE, Intent.CHEAPEST, Intent.PRICIEST):
            yield self._about_shown(session, text, turn)
            return
        yield from self._search_turn(session, text, parsed, turn, started, profile)

    def _profile(self, user_id: str) -> Profile | None:
        return self.personaliser.profile(user_id) if self.personaliser is not None else None

    def _search_turn(
        self,
        session: Session,
        text: str,
        parsed: ParsedQuery,
        turn: Turn,
        started: float,
        profile: Profile | None = None,
    ) -> Iterator[Event]:
        timings: dict[str, float] = {}
        exclude: set[str] = set()
        if turn.intent is Intent.SEARCH:
            session.start_search(parsed.search_text, parsed.filters)
        elif turn.intent is Intent.REFINE:
            shown_prices = [
                float(p.price) for p in self._shown_products(session) if p.price is not None
            ]
            filters = refine_filters(
                session.filters, parsed.filters, turn.price_direction, shown_prices
            )
            extra = [w for w in residual_words(parsed.text) if w not in session.text.lower()]
            session.start_search(" ".join([session.text, *extra]).strip(), filters)
        else:  # MORE
            exclude = set(session.seen)
        cfg = self.rerank_config
        query = ParsedQuery(text=session.text, filters=session.filters, original=text)
        result = search_for(
            self.searcher, self.personaliser, profile, query, cfg.top_n + len(exclude)
        )
        timings["retrieve"] = result.timings_ms.get("total", 0.0)
        candidates = [c for c in result.candidates if c.product.id not in exclude][: cfg.top_n]
        candidates = self._checked(candidates, session)
        constraints = describe_filters(session.filters)
        yield CandidatesEvent(
            session_id=session.id,
            items=[AnswerItem.from_candidate(c) for c in candidates[: cfg.explain]],
            constraints=constraints,
        )
        timings["first_candidates"] = elapsed_ms(started)
        ranked = rerank(
            self.llm,
            session.text,
            constraints,
            candidates,
            cfg,
            timeout_s=self.settings.llm_timeout,
            max_tokens=self.settings.llm_max_tokens,
            history=history_for(self.personaliser, profile),
        )
        timings["rerank"] = ranked.llm_ms
        items = [AnswerItem.from_candidate(r.candidate, r.reason, r.score) for r in ranked.items]
        yield ReasonsEvent(
            session_id=session.id,
            items=items,
            degraded=ranked.degraded,
            degraded_reason=ranked.degraded_reason,
        )
        session.show([i.id for i in items])
        session.reasons = {i.id: i.reason for i in items}
        top = f"{items[0].title} — {items[0].reason}" if items else None
        message = results_message(
            session.text, session.filters, len(items), turn.intent is Intent.MORE, top
        )
        message += degraded_note(ranked.degraded_reason)
        timings["total"] = elapsed_ms(started)
        answer = Answer(
            session_id=session.id,
            items=items,
            message=message,
            query=session.text,
            intent=turn.intent.value,
            constraints=constraints,
            degraded=ranked.degraded,
            degraded_reason=ranked.degraded_reason,
            timings_ms=timings,
        )
        session.remember(text, message, self.settings.turns_kept)
        yield AnswerEvent(answer=answer)

    def _checked(self, candidates: list[Candidate], session: Session) -> list[Candidate]:
        """Belt and braces: only catalog items that satisfy every active filter."""
        kept = [
            c
            for c in candidates
            if self.searcher.table.get(c.product.id) is not None
            and session.filters.accepts(c.product)
        ]
        if len(kept) != len(candidates):
            log.error(
                "dropped %d candidates that broke the active filters", len(candidates) - len(kept)
            )
        return kept

    def _shown_products(self, session: Session) -> list[Product]:
        return [p for i in session.shown if (p := self.searcher.table.get(i)) is not None]

    def _about_shown(self, session: Session, text: str, turn: Turn) -> AnswerEvent:
        shown = list(enumerate(self._shown_products(session), start=1))
        picked = [(len(shown) if pos == -1 else pos) for pos in turn.positions]
        missing = [pos for pos in picked if not 1 <= pos <= len(shown)]
        if missing:
            return self._reply(
                session,
                text,
                f"I only showed {len(shown)} items; there is no #{missing[0]}.",
                turn.intent.value,
            )
        if turn.intent is Intent.WHY:
            pos, product = shown[picked[0] - 1]
            message = why(pos, product, session.reasons.get(product.id, ""))
            chosen = [(pos, product)]
        elif turn.intent is Intent.COMPARE:
            chosen = [shown[pos - 1] for pos in picked]
            message = compare(chosen)
        else:
            pick = extreme(shown, cheapest=turn.intent is Intent.CHEAPEST)
            if pick is None:
                return self._reply(
                    session, text, "None of the shown items lists a price.", turn.intent.value
                )
            chosen = [pick]
            label = "cheapest" if turn.intent is Intent.CHEAPEST else "most expensive"
            message = (
                f"The {label} of these is #{pick[0]} {md_escape(pick[1].title)} "
                f"at {format_price(pick[1])}."
            )
        items = [AnswerItem.from_product(p, session.reasons.get(p.id, "")) for _, p in chosen]
        return self._reply(session, text, message, turn.intent.value, items)

    def _reply(
        self,
        session: Session,
        text: str,
        message: str,
        intent: str,
        items: list[AnswerItem] | None = None,
    ) -> AnswerEvent:
        session.remember(text, message, self.settings.turns_kept)
        return AnswerEvent(
            answer=Answer(
                session_id=session.id,
                items=items or [],
                message=message,
                query=session.text,
                intent=intent,
                constraints=describe_filters(session.filters),
            )
        )

