"""One conversation turn, in one place: route the message to an ``Intent``, run that intent's
handler, and for turns that show products (search, refine, more, recommend) the shared
rank-and-answer tail: candidates event, LLM rerank, reasons event, final answer."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from assistant.answer import (
    Answer,
    AnswerEvent,
    AnswerItem,
    CandidatesEvent,
    Event,
    ReasonsEvent,
    answer_facets,
    describe_filters,
)
from assistant.findings import findings
from assistant.followups import compare, extreme, why
from assistant.intents import Intent, Turn, classify, residual_words
from assistant.llm.base import LLM
from assistant.markdown import md_escape
from assistant.messages import degraded_note, results_message
from assistant.personal import (
    RECOMMEND_REQUEST,
    history_for,
    history_reason,
    past_clauses,
    recommend_message,
    search_for,
)
from assistant.phrases import phrase
from assistant.reasons import compose_reasons, format_price, met_specs
from assistant.refine import refine_filters
from assistant.rerank import RerankConfig, rerank
from assistant.session import Session
from retrieval import Searcher
from retrieval.facets import facets_for
from retrieval.profiles import Personaliser, Profile
from retrieval.specs.follow import resize
from retrieval.types import Candidate, Filters, ParsedQuery
from shopchat.language import Language, has_han, has_kana, language_of
from shopchat.records import Product
from shopchat.settings import Settings
from shopchat.text import single_spaced
from shopchat.timing import elapsed_ms

log = logging.getLogger(__name__)

SHOWS_PRODUCTS = frozenset({Intent.SEARCH, Intent.REFINE, Intent.MORE, Intent.RECOMMEND})
"""Intents whose answer is a fresh page of products (the rest answer in words)."""
ABOUT_SHOWN = frozenset({Intent.WHY, Intent.COMPARE, Intent.CHEAPEST, Intent.PRICIEST})


@dataclass(frozen=True, slots=True)
class TurnContext:
    session: Session
    text: str
    """The shopper's message, single-spaced."""
    turn: Turn
    parsed: ParsedQuery | None
    """The message's constraints (None for turns that never reach the parser)."""
    profile: Profile | None
    started: float
    language: Language = "en"
    """The shopper's language: the reply's words are in it (catalog text stays as it is)."""

    @property
    def request(self) -> str:
        """The message as the turn reads it: a Chinese message's English reading."""
        return self.parsed.original if self.parsed is not None else self.text


@dataclass(frozen=True, slots=True)
class Shortlist:
    """What a product-showing handler hands the rank-and-answer tail."""

    candidates: list[Candidate]
    request: str
    """What the model is asked to rank for."""
    message: Callable[[list[AnswerItem]], str]
    """The answer's words around the final items (Markdown, escaped)."""
    own_reasons: Callable[[list[Product]], list[str]] | None = None
    """The page's reasons for items the model gave none usable (all of them when there is no
    usable model); None: rerank's composed reasons stand."""
    timings: dict[str, float] = field(default_factory=dict)
    filters: Filters | None = None
    """What every candidate meets (None: the session's filters); a search that relaxed a
    specification to the nearest value meets the relaxed one."""


class TurnPipeline:
    """Runs turns for one catalog; ``Assistant`` owns sessions, capacity and the public API."""

    def __init__(
        self,
        searcher: Searcher,
        llm: LLM | None,
        settings: Settings,
        rerank_config: RerankConfig,
        personaliser: Personaliser | None = None,
    ) -> None:
        self.searcher = searcher
        self.llm = llm
        self.settings = settings
        self.rerank_config = rerank_config
        self.personaliser = personaliser
        self._handlers: dict[Intent, Callable[[TurnContext], Iterator[Event]]] = {
            Intent.EMPTY: self._ask_what,
            Intent.TOO_LONG: self._too_long,
            Intent.UNREADABLE: self._unreadable,
            Intent.RESET: self._reset,
            Intent.SEARCH: self._search,
            Intent.REFINE: self._search,
            Intent.MORE: self._search,
            Intent.RECOMMEND: self._recommend,
            **{intent: self._about_shown for intent in ABOUT_SHOWN},
        }

    def run(self, session: Session, query: str) -> Iterator[Event]:
        """The turn's events; the last one is always an ``AnswerEvent``."""
        yield from self.handle(self.route(session, query))

    def handle(self, ctx: TurnContext) -> Iterator[Event]:
        """The events of a routed turn (its intent's handler)."""
        yield from self._handlers[ctx.turn.intent](ctx)

    def route(self, session: Session, query: str) -> TurnContext:
        started = time.perf_counter()
        text = single_spaced(str(query))
        profile = (
            self.personaliser.profile(session.user_id) if self.personaliser is not None else None
        )
        parsed = None
        if not text:
            turn = Turn(Intent.RECOMMEND if profile is not None else Intent.EMPTY)
        elif len(text) > self.settings.max_query_chars:
            turn = Turn(Intent.TOO_LONG)
        elif has_kana(text):
            turn = Turn(Intent.UNREADABLE)
        else:
            parsed = self.searcher.parse(text)  # a Chinese message is read as English first
            turn = classify(parsed.original, parsed.free_text, has_results=bool(session.shown))
            if parsed.reading is not None and not parsed.reading.english:
                turn = Turn(Intent.SEARCH)  # Chinese with no word this catalog uses: said so
            if turn.intent is Intent.REFINE:
                # a follow-up's specs are read for the product the conversation is about
                parsed = self.searcher.parse(
                    text, context=session.text,
                    prefer=frozenset(s.attribute for s in session.filters.specs))
        return TurnContext(session, text, turn, parsed, profile, started, language_of(text))

    # -- turns answered in words ------------------------------------------------------------

    def _ask_what(self, ctx: TurnContext) -> Iterator[Event]:
        """An empty message, or "more" with nothing shown yet (a new or expired conversation)."""
        key = "nothing_to_continue" if ctx.text else "ask_what"
        yield self.reply(ctx, phrase(reply_language(ctx), key), Intent.EMPTY)

    def _too_long(self, ctx: TurnContext) -> Iterator[Event]:
        message = phrase(ctx.language, "too_long", length=len(ctx.text),
                         limit=self.settings.max_query_chars)
        yield self.reply(ctx, message, Intent.TOO_LONG, text=ctx.text[:80])

    def _unreadable(self, ctx: TurnContext) -> Iterator[Event]:
        message = phrase("zh" if has_han(ctx.text) else "en", "unreadable",
                         said=md_escape(ctx.text[:40]))
        yield self.reply(ctx, message, Intent.UNREADABLE)

    def _reset(self, ctx: TurnContext) -> Iterator[Event]:
        ctx.session.reset()
        yield self.reply(ctx, phrase(ctx.language, "start_over"), Intent.RESET)

    def _about_shown(self, ctx: TurnContext) -> Iterator[Event]:
        session, turn, lang = ctx.session, ctx.turn, ctx.language
        shown = list(enumerate(self._shown_products(session), start=1))
        picked = [(len(shown) if pos == -1 else pos) for pos in turn.positions]
        missing = [pos for pos in picked if not 1 <= pos <= len(shown)]
        if missing:
            message = phrase(lang, "no_such_item", count=len(shown), pos=missing[0])
            yield self.reply(ctx, message, turn.intent)
            return
        if turn.intent is Intent.WHY:
            pos, product = shown[picked[0] - 1]
            message = why(pos, product, session.reasons.get(product.id, ""), lang)
            chosen = [(pos, product)]
        elif turn.intent is Intent.COMPARE:
            chosen = [shown[pos - 1] for pos in picked]
            message = compare(chosen, lang)
        else:
            cheapest = turn.intent is Intent.CHEAPEST
            pick = extreme(shown, cheapest=cheapest)
            if pick is None:
                yield self.reply(ctx, phrase(lang, "no_prices"), turn.intent)
                return
            chosen = [pick]
            message = phrase(lang, "cheapest_of" if cheapest else "priciest_of", pos=pick[0],
                             title=md_escape(pick[1].title), price=format_price(pick[1], lang))
        items = [AnswerItem.from_product(p, session.reasons.get(p.id, "")).model_copy(
            update={"position": pos}) for pos, p in chosen]
        yield self.reply(ctx, message, turn.intent, items)

    # -- turns that show products -----------------------------------------------------------

    def _search(self, ctx: TurnContext) -> Iterator[Event]:
        assert ctx.parsed is not None  # routed through the parser
        session, turn, parsed, lang = ctx.session, ctx.turn, ctx.parsed, ctx.language
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
            if turn.size_direction:
                specs = resize(filters.specs, turn.size_direction,
                               self._shown_products(session), self.searcher.spec_vocabulary)
                filters = dataclasses.replace(filters, specs=specs)
            extra = [w for w in residual_words(parsed.free_text)
                     if w not in session.text.lower()]
            session.start_search(" ".join([session.text, *extra]).strip(), filters)
        else:  # MORE: the same search, minus everything already shown
            exclude = set(session.seen)
        top_n = self.rerank_config.top_n
        query = ParsedQuery(text=session.text, filters=session.filters, original=ctx.request)
        k = top_n + len(exclude)
        result = search_for(self.searcher, self.personaliser, ctx.profile, query, k)
        candidates = [c for c in result.candidates if c.product.id not in exclude][:top_n]
        if not result.catalog_words and (not result.unknown_words or parsed.reading):
            # no word at all ("???"), or Chinese with no word this catalog uses: nothing is
            # near it in any sense (its English reading is empty)
            candidates = []
        more = turn.intent is Intent.MORE
        shown = [c.product for c in candidates[: self.rerank_config.explain]]

        searched = result.query.filters  # the session's, with any spec relaxed to the nearest
        said = own_words(ctx)

        def message(items: list[AnswerItem]) -> str:
            products = [p for i in items if (p := self.searcher.table.get(i.id)) is not None]
            if parsed.reading is not None and not result.catalog_words:
                return phrase(lang, "no_catalog_words", said=md_escape(parsed.reading.original))
            # what the reply must be honest about (maybe relaxed searches): after the cards
            found = findings(self.searcher, parsed, result, shown, more)
            words = results_message(session.text, searched, products, more, found, lang, said,
                                    self.searcher.brand_names)
            if parsed.reading is not None and parsed.reading.yuan_rate is not None:
                words += phrase(lang, "sentence_gap") + phrase(
                    lang, "yuan_rate", rate=f"{parsed.reading.yuan_rate:g}")
            return words

        past = past_clauses(ctx.profile, lang)
        shortlist = Shortlist(
            candidates, session.text, message,
            own_reasons=(lambda page: compose_reasons(
                session.text, page, past, met_specs(describe_filters(searched)), lang))
            if past else None,
            timings={"retrieve": result.timings_ms.get("total", 0.0)},
            filters=searched,
        )
        yield from self._rank_and_answer(ctx, shortlist)

    def _recommend(self, ctx: TurnContext) -> Iterator[Event]:
        """An empty message from a shopper with a profile: picks from the profile alone."""
        assert self.personaliser is not None and ctx.profile is not None
        profile, lang = ctx.profile, reply_language(ctx)
        started = time.perf_counter()
        result = self.personaliser.recommend_for(profile, k=self.rerank_config.top_n)
        ctx.session.start_search("", Filters())
        shortlist = Shortlist(
            result.candidates,
            RECOMMEND_REQUEST,
            lambda items: recommend_message(items, lang),
            own_reasons=lambda page: [history_reason(profile, p, lang) for p in page],
            timings={"retrieve": elapsed_ms(started)},
        )
        yield from self._rank_and_answer(ctx, shortlist)

    def _rank_and_answer(self, ctx: TurnContext, shortlist: Shortlist) -> Iterator[Event]:
        session, cfg, lang = ctx.session, self.rerank_config, reply_language(ctx)
        timings = dict(shortlist.timings)
        filters = shortlist.filters or session.filters
        candidates = self._checked(shortlist.candidates, filters)
        constraints = describe_filters(filters)
        facets = answer_facets(facets_for([c.product for c in candidates],
                                          self.searcher.spec_vocabulary))
        yield CandidatesEvent(
            session_id=session.id,
            items=[AnswerItem.from_candidate(c) for c in candidates[: cfg.explain]],
            constraints=constraints,
            facets=facets,
        )
        timings["first_candidates"] = elapsed_ms(ctx.started)
        ranked = rerank(
            self.llm,
            shortlist.request,
            constraints,
            candidates,
            cfg,
            timeout_s=self.settings.llm_timeout,
            max_tokens=self.settings.llm_max_tokens,
            history=history_for(self.personaliser, ctx.profile),
            lang=lang,
        )
        timings["rerank"] = ranked.llm_ms
        reasons = [r.reason for r in ranked.items]
        if shortlist.own_reasons is not None and any(r.composed for r in ranked.items):
            own = shortlist.own_reasons([r.candidate.product for r in ranked.items])
            reasons = [o if r.composed else m for r, o, m in zip(ranked.items, own, reasons,
                                                                  strict=True)]
        items = [
            AnswerItem.from_candidate(r.candidate, reason, r.score,
                                      "composed" if r.composed else "model")
            for r, reason in zip(ranked.items, reasons, strict=True)
        ]
        yield ReasonsEvent(
            session_id=session.id,
            items=items,
            degraded=ranked.degraded,
            degraded_reason=ranked.degraded_reason,
        )
        session.show([i.id for i in items])
        session.reasons = {i.id: i.reason for i in items}
        message = shortlist.message(items) + degraded_note(ranked.degraded_reason, lang)
        timings["total"] = elapsed_ms(ctx.started)
        answer = Answer(
            session_id=session.id,
            items=items,
            message=message,
            query=session.text,
            intent=ctx.turn.intent,
            constraints=constraints,
            facets=facets,
            degraded=ranked.degraded,
            degraded_reason=ranked.degraded_reason,
            refused_reasons=ranked.refused,
            timings_ms=timings,
            language=lang,
        )
        session.remember(ctx.text, message, self.settings.turns_kept)
        yield AnswerEvent(answer=answer)

    # -- helpers ----------------------------------------------------------------------------

    def _checked(self, candidates: list[Candidate], filters: Filters) -> list[Candidate]:
        """Belt and braces: only catalog items that satisfy every active filter."""
        kept = [
            c
            for c in candidates
            if self.searcher.table.get(c.product.id) is not None
            and filters.accepts(c.product)
        ]
        if len(kept) != len(candidates):
            log.error(
                "dropped %d candidates not in the catalog or breaking the active filters",
                len(candidates) - len(kept),
            )
        return kept

    def _shown_products(self, session: Session) -> list[Product]:
        return [p for i in session.shown if (p := self.searcher.table.get(i)) is not None]

    def reply(
        self,
        ctx: TurnContext,
        message: str,
        intent: Intent,
        items: list[AnswerItem] | None = None,
        *,
        text: str | None = None,
    ) -> AnswerEvent:
        """A turn answered in words (and maybe shown items), remembered in the session as
        ``text`` (default: the shopper's message)."""
        session = ctx.session
        session.remember(ctx.text if text is None else text, message, self.settings.turns_kept)
        return AnswerEvent(answer=Answer(
            session_id=session.id,
            items=items or [],
            message=message,
            query=session.text,
            intent=intent,
            constraints=describe_filters(session.filters),
            language=reply_language(ctx),
        ))


def reply_language(ctx: TurnContext) -> Language:
    """The language to answer ``ctx`` in: the message's, and for an empty message (which has
    none) that of the shopper's last message in the session."""
    if ctx.text or not ctx.session.turns:
        return ctx.language
    return language_of(ctx.session.turns[-1][0])


def own_words(ctx: TurnContext) -> str:
    """The shopper's own words to quote for a search when they are not its search text: a
    Chinese message (searched by its English reading) whose only constraint is the product
    type it names ("手机") is all request; otherwise "" (the search text is quoted, and the
    constraints are said apart)."""
    parsed = ctx.parsed
    if parsed is None or parsed.reading is None or ctx.turn.intent is not Intent.SEARCH:
        return ""
    said_apart = dataclasses.replace(parsed.filters, categories=frozenset())
    if not said_apart.is_empty() or parsed.unknown_brands or parsed.unknown_excluded \
            or parsed.spec_problems:
        return ""
    return parsed.reading.original
