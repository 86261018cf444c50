"""The Gradio chat page: streamed answers, product cards with like/dislike, shopper selection.

Who the page's shopper is: in demo mode (``SHOPCHAT_DEMO``) anyone picked in the selector;
otherwise this browser's guest, or the user a storefront-signed ``?token=`` names. The signed
token itself stays in the browser (a hidden field, and the tab's ``sessionStorage``, once it is
taken off the address bar) and every event verifies it again: no replica keeps who a page is,
so a restart or another replica serves the same shopper and conversation. Never an unsigned id
the browser sends.

Layout: the conversation on the left; the current recommendations as cards on the right,
under the latest answer's facet chips (``assistant.ui.chips``: a click sends the chip's
follow-up, "only Logitech", "27 inch", as the next message).
``/chat`` is the one public API endpoint: ``Client(url).predict(message, user_id,
api_name="/chat")`` returns the reply as Markdown and keeps a conversation per client. With
``SHOPCHAT_API_KEYS`` set, ``/chat``, ``/chat_stream`` and ``/feedback`` need
``Authorization: Bearer <key>`` (or a shopper token, acting only as its user).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from typing import Any

import gradio as gr
from fastapi import FastAPI

from assistant.answer import Answer, AnswerEvent, AnswerItem, CandidatesEvent, ReasonsEvent
from assistant.api.auth import AuthError, ForbiddenError, authenticate
from assistant.intents import Intent
from assistant.turn import SHOWS_PRODUCTS
from assistant.ui.chips import CHIPS_CSS, FacetChips
from assistant.ui.examples import example_texts
from assistant.ui.render import (
    CARD_CSS,
    candidates_markdown,
    card_html,
    cards_pointer,
    history_markdown,
    md_escape,
    notice_html,
    reply_markdown,
)
from assistant.ui.shop import (
    GUEST,
    GUEST_PREFIX,
    Shop,
    conversation_id,
    page_shopper,
    shopper_id,
)
from shopchat.errors import ShopchatError

log = logging.getLogger(__name__)

PAGE_CSS = """
#shopchat-title h1 {font-size: 1.35rem; margin: 0;}
#shopchat-title p {margin: 2px 0 0; color: #334155;}
#shopchat-cards-title h2 {font-size: 1.1rem; margin: 0;}
#shopchat-conversation-title h2 {font-size: 1.1rem; margin: 0;}
#shopchat-cards .shopchat-slot {padding: 8px 10px; margin-bottom: 6px;
  background: #fff !important; border: 1px solid #cbd2da; border-radius: 8px;}
#shopchat-cards .shopchat-slot > div, #shopchat-cards .shopchat-slot .block,
#shopchat-cards .shopchat-slot .styler {background: #fff !important; border: 0 !important;
  box-shadow: none !important; padding: 0 !important; gap: 0 !important;}
#shopchat-cards .shopchat-actions {justify-content: flex-end; gap: 6px; margin-top: 4px;}
#shopchat-cards .shopchat-actions button {flex: 0 0 auto !important; width: auto !important;
  min-width: 0 !important; padding: 2px 12px;}
#shopchat-cards .shopchat-like, #shopchat-cards .shopchat-dislike {color: #1e293b;}
#shopchat-history {color: #1e293b;}
#shopchat-notice:not(:has(.shopchat-notice)) {display: none;}
#shopchat-identity:not(:has(.shopchat-notice)) {display: none;}
[data-testid="block-info"] {color: #3730a3 !important;}
#shopchat-examples .label, #shopchat-examples .label * {color: #3730a3 !important;}
#shopchat-examples button {color: #1e293b !important;}
#shopchat-send {background: #4338ca !important; border-color: #4338ca !important;
  color: #fff !important;}
footer, footer a, footer button, .show-api {color: #334155 !important;}
@media (max-width: 700px) {
  /* one column: the cards come right under the chat box, examples and history after them */
  #shopchat-main {flex-direction: column;}
  #shopchat-main > .column {width: 100% !important; min-width: 0 !important;}
  #shopchat-left {display: contents;}
  #shopchat-left > * {order: 1;}
  #shopchat-cards {order: 2;}
  #shopchat-left > #shopchat-examples, #shopchat-left > #shopchat-history {order: 3;}
  #shopchat-chat {max-height: 55vh !important;}
  #shopchat-input-row {flex-wrap: wrap;}
  #shopchat-facets .shopchat-facet-name {flex: 0 0 100% !important; width: 100% !important;}
}
"""

CSS = CARD_CSS + CHIPS_CSS + PAGE_CSS

TOKEN_KEY = "shopchat-token"

READ_TOKEN = f"""(catalog, token) => {{
  // The storefront's ?token=: kept for this tab (a reload keeps the shopper), then taken off
  // the address bar, so history, bookmarks and shared links never carry it.
  const url = new URL(window.location.href);
  let given = url.searchParams.get("token");
  if (given !== null) {{
    try {{ sessionStorage.setItem("{TOKEN_KEY}", given); }} catch (e) {{}}
    url.searchParams.delete("token");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }} else {{
    try {{ given = sessionStorage.getItem("{TOKEN_KEY}"); }} catch (e) {{}}
  }}
  return [catalog, given || ""];
}}"""
"""The page-load event's first step, in the browser: the token from the address (or this tab's
storage), which the server then verifies."""

FOLLOW_CHAT = """<script>
// The chat grows up to its height limit, then its box scrolls: keep the newest reply in view.
// Only when the chat's content grew: a shopper who scrolled up to reread is left alone.
const seen = new WeakMap();
new MutationObserver(() => {
  const chat = document.getElementById("shopchat-chat");
  if (!chat) return;
  for (const box of [chat, ...chat.querySelectorAll("*")]) {
    if (box.scrollHeight > box.clientHeight + 2 && getComputedStyle(box).overflowY !== "visible"
        && box.scrollHeight !== seen.get(box)) {
      seen.set(box, box.scrollHeight);
      box.scrollTop = box.scrollHeight;
    }
  }
}).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
</script>"""

Chat = list[dict[str, Any]]


THEME_FONTS = ["system-ui", "DejaVu Sans", "sans-serif"]
"""Local fonts only: the page must not wait on a font host it cannot reach."""


def launch_app(shop: Shop, *, host: str = "127.0.0.1", port: int | None = 7860,
               prevent_thread_lock: bool = False) -> Any:
    """Serve the page and the HTTP API (``assistant.api.app``). ``prevent_thread_lock``: on a
    background thread, returning the running server (``local_url``, ``close()``).

    A shim kept for the page's tests and tests/test_docs.py, in Gradio's ``launch`` shape:
    ``shopchat serve`` calls ``assistant.api.app.serve`` directly."""
    from assistant.api.app import serve, start_server

    if prevent_thread_lock:
        return start_server(shop, host, port)
    serve(shop, host, port or 7860)
    return None


def mount_page(app: FastAPI, demo: gr.Blocks, shop: Shop) -> FastAPI:
    """``demo`` at ``/`` of ``app`` with its styling and request limits."""
    # worker threads for every turn the page runs at once (Gradio's default is 40)
    threads = max(40, shop.settings.ui_concurrency + 8)
    demo.max_threads = threads
    demo._queue.max_thread_count = threads
    theme = gr.themes.Soft(font=THEME_FONTS, font_mono=["DejaVu Sans Mono", "monospace"])
    return gr.mount_gradio_app(app, demo, path="/", css=CSS, theme=theme, head=FOLLOW_CHAT,
                               max_file_size=shop.settings.ui_max_upload,
                               footer_links=["api"], show_error=False)


def _session(request: gr.Request | None) -> str:
    return (request.session_hash if request is not None else None) or "anonymous"


def _api_user(shop: Shop, user_id: str, request: gr.Request | None) -> str:
    """The shopper a ``/chat``, ``/chat_stream`` or ``/feedback`` caller may act as (keys and
    tokens as the HTTP API takes them); raises ``gr.Error`` saying why not."""
    header = request.headers.get("authorization") if request is not None else None
    try:
        caller = authenticate(header, shop.settings)
        if caller.user_id is not None and (user_id or GUEST).strip() == GUEST:
            return caller.user_id  # a shopper token: "guest" (the default) means its user
        return caller.act_as(user_id or GUEST)
    except (AuthError, ForbiddenError) as exc:
        raise gr.Error(str(exc), title="Not allowed") from exc
    except ShopchatError as exc:  # an invalid user id
        raise gr.Error(str(exc)) from exc


def identity_html(message: str) -> str:
    if not message:
        return ""
    return f'<div class="shopchat-notice" role="status">{html.escape(message)}</div>'


def build_app(shop: Shop) -> gr.Blocks:
    slots = shop.settings.answer_items
    demo_mode = shop.settings.demo

    def page_user(who: str, request: gr.Request | None) -> str:
        """Demo: the selector's shopper. Otherwise the user of the page's signed token,
        verified again on every event, else this browser's guest."""
        if demo_mode:
            return shopper_id(who, _session(request))
        return page_shopper(who, _session(request), shop.settings)[0]

    def shown_name(who: str, user: str) -> str:
        if demo_mode:
            return who or GUEST
        return GUEST if user.startswith(GUEST_PREFIX) else user
    with gr.Blocks(title="shopchat", analytics_enabled=False) as demo:
        gr.Markdown("# shopchat\nAsk for products in your own words, then refine: "
                    "“cheaper”, “only Logitech”, “why the second one?”.",
                    elem_id="shopchat-title")
        with gr.Row(elem_id="shopchat-main"):
            with gr.Column(scale=3, min_width=320, elem_id="shopchat-left"):
                with gr.Row():
                    catalog = gr.Dropdown(shop.catalogs, value=shop.default, label="Catalog",
                                          interactive=len(shop.catalogs) > 1, scale=1,
                                          min_width=140)
                    if demo_mode:  # anyone may pick any shopper: a demo only
                        shopper = gr.Dropdown(shop.shoppers(shop.default), value=GUEST,
                                              label="Shopper", allow_custom_value=True,
                                              scale=1, min_width=140,
                                              elem_id="shopchat-shopper")
                # outside demo mode: the storefront's signed token (empty: a guest), kept in
                # the browser and verified by every event
                token = gr.Textbox("", visible=False, elem_id="shopchat-token")
                who: gr.Dropdown | gr.Textbox = shopper if demo_mode else token
                signed_in = gr.HTML("", elem_id="shopchat-identity")
                notice = gr.HTML("", elem_id="shopchat-notice")
                # The heading names the conversation; the chatbot's own label would float
                # over its first message.
                gr.Markdown("## Conversation", elem_id="shopchat-conversation-title")
                chatbot = gr.Chatbot(label="Conversation", show_label=False, height="auto",
                                     min_height=160, max_height=440,
                                     elem_id="shopchat-chat", feedback_options=None,
                                     buttons=["copy"],
                                     placeholder="Try “wireless mouse under $30”, then "
                                                 "“cheaper”, “only Logitech” or “more”.")
                with gr.Row(elem_id="shopchat-input-row"):
                    box = gr.Textbox(placeholder="What are you looking for?",
                                     label="Your message", show_label=False,
                                     max_length=shop.settings.max_query_chars, scale=6,
                                     min_width=200, elem_id="shopchat-input", autofocus=True)
                    send = gr.Button("Send", variant="primary", scale=1, min_width=70,
                                     elem_id="shopchat-send")
                    new = gr.Button("New conversation", scale=1, min_width=110,
                                    elem_id="shopchat-new")
                gr.Examples(example_texts(shop.default), inputs=box, label="Examples",
                            elem_id="shopchat-examples")
                history = gr.Markdown("", elem_id="shopchat-history")
            # No height limit: the cards grow with the page, never in a box of their own.
            with gr.Column(scale=2, min_width=320, elem_id="shopchat-cards"):
                gr.Markdown("## Recommendations", elem_id="shopchat-cards-title")
                chips = FacetChips.build()
                items = gr.State([])
                groups: list[gr.Group] = []
                cards: list[gr.HTML] = []
                for i in range(slots):
                    with gr.Group(visible=False, elem_classes="shopchat-slot") as group:
                        card = gr.HTML("", elem_classes="shopchat-card-html", padding=False)
                        with gr.Row(elem_classes="shopchat-actions"):
                            like = gr.Button("♥ Like", size="sm", scale=0, min_width=0,
                                             elem_classes="shopchat-like")
                            dislike = gr.Button("✗ Not for me", size="sm", scale=0,
                                                min_width=0, elem_classes="shopchat-dislike")
                    groups.append(group)
                    cards.append(card)
                    for button, event in ((like, "like"), (dislike, "dislike")):
                        button.click(_feedback_handler(shop, i, event, page_user, shown_name),
                                     inputs=[items, who, catalog],
                                     outputs=[items, card, history], api_visibility="private")

        def show_cards(shown: list[dict[str, Any]], pending: bool) -> dict[Any, Any]:
            out: dict[Any, Any] = {items: shown}
            for i in range(slots):
                if i < len(shown):
                    item = AnswerItem.model_validate(shown[i]["item"])
                    out[cards[i]] = card_html(item, i + 1, pending=pending,
                                              feedback=shown[i].get("feedback"))
                    out[groups[i]] = gr.update(visible=True)
                else:
                    out[cards[i]] = ""
                    out[groups[i]] = gr.update(visible=False)
            return out

        def respond(message: str, chat: Chat, selected: str, catalog_name: str,
                    request: gr.Request) -> Iterator[dict[Any, Any]]:
            chat = [*(chat or []), {"role": "user", "content": md_escape(message)}]
            try:
                user = page_user(selected, request)
                sid = conversation_id(_session(request), user, catalog_name, "ui")
                bot = shop.assistant(catalog_name)
                for event in bot.ask_stream(user, message, sid):
                    if isinstance(event, CandidatesEvent) and event.items:
                        shown = [{"item": i.model_dump()} for i in event.items]
                        note = f"Found {len(shown)} candidates — ranking and explaining…"
                        yield {chatbot: [*chat, _bot(note)], box: "", notice: "",
                               **show_cards(shown, pending=True), **chips.show(event.facets)}
                    elif isinstance(event, ReasonsEvent):
                        shown = [{"item": i.model_dump()} for i in event.items]
                        yield {notice: notice_html(event.degraded_reason),
                               **show_cards(shown, pending=False)}
                    elif isinstance(event, AnswerEvent):
                        answer = event.answer
                        update = {chatbot: [*chat, _bot(_chat_text(answer))], box: "",
                                  notice: notice_html(answer.degraded_reason)}
                        if answer.intent in SHOWS_PRODUCTS or answer.intent == Intent.RESET:
                            shown = [{"item": i.model_dump()} for i in answer.items]
                            update.update(show_cards(shown, pending=False))
                            update.update(chips.show(answer.facets))
                        if answer.degraded:
                            gr.Warning(f"Degraded answer: {answer.degraded_reason}")
                        yield update
            except ShopchatError as exc:
                yield {chatbot: [*chat, _bot(f"⚠ {md_escape(str(exc))}")], box: ""}

        def reset(selected: str, catalog_name: str,
                  request: gr.Request) -> dict[Any, Any]:
            session = _session(request)
            user = page_user(selected, request)
            shop.end_conversation(catalog_name, conversation_id(session, user, catalog_name, "ui"))
            return {chatbot: [], box: "", notice: "",
                    history: _history(shop, catalog_name, shown_name(selected, user), user),
                    **show_cards([], pending=False), **chips.show([])}

        def change_catalog(selected: str, catalog_name: str,
                           request: gr.Request) -> dict[Any, Any]:
            if not demo_mode:
                return reset(selected, catalog_name, request)
            out = reset(GUEST, catalog_name, request)
            out[shopper] = gr.update(choices=shop.shoppers(catalog_name), value=GUEST)
            return out

        def identify(catalog_name: str, given: str, request: gr.Request) -> dict[Any, Any]:
            """Page load outside demo mode: the shopper of the token ``READ_TOKEN`` found
            (``?token=``, or this tab's earlier one), else the guest."""
            _, message = page_shopper(given, _session(request), shop.settings)
            out = reset(given, catalog_name, request)
            out[token] = "" if message else given  # a refused token is dropped
            out[signed_in] = identity_html(message)
            return out

        chat_outputs = [chatbot, box, items, notice, *groups, *cards, *chips.outputs]
        reset_outputs = [chatbot, box, items, notice, history, *groups, *cards, *chips.outputs]
        for trigger in (box.submit, send.click):
            trigger(respond, inputs=[box, chatbot, who, catalog], outputs=chat_outputs,
                    api_visibility="private")
        chips.bind(respond, [chatbot, who, catalog], chat_outputs)
        new.click(reset, inputs=[who, catalog], outputs=reset_outputs,
                  api_visibility="private")
        if demo_mode:
            shopper.change(reset, inputs=[shopper, catalog], outputs=reset_outputs,
                           api_visibility="private")
            catalog.change(change_catalog, inputs=[shopper, catalog],
                           outputs=[*reset_outputs, shopper], api_visibility="private")
            demo.load(reset, inputs=[shopper, catalog], outputs=reset_outputs,
                      api_visibility="private")
        else:
            catalog.change(change_catalog, inputs=[token, catalog], outputs=reset_outputs,
                           api_visibility="private")
            demo.load(identify, inputs=[catalog, token], js=READ_TOKEN,
                      outputs=[*reset_outputs, token, signed_in], api_visibility="private")

        def chat(message: str, user_id: str = GUEST, catalog: str = "",
                 request: gr.Request = None) -> str:  # type: ignore[assignment]
            """One conversation turn; the reply as Markdown (items end with `id:<item id>`)."""
            user = _api_user(shop, user_id, request)
            return _api_turn(shop, message, user, catalog, _session(request))

        gr.api(chat, api_name="chat")

        def chat_stream(message: str, user_id: str = GUEST, catalog: str = "",
                        request: gr.Request = None) -> Iterator[str]:  # type: ignore[assignment]
            """One conversation turn, streamed: the candidates (Markdown, items with `id:`) as
            soon as retrieval has them, then the final reply as ``/chat`` gives it."""
            user = _api_user(shop, user_id, request)
            yield from _api_stream(shop, message, user, catalog, _session(request))

        gr.api(chat_stream, api_name="chat_stream")

        def feedback(item_id: str, event: str = "like", user_id: str = GUEST, catalog: str = "",
                     request: gr.Request = None) -> str:  # type: ignore[assignment]
            """Record a like, dislike, click, cart or purchase of ``item_id`` by ``user_id``."""
            catalog = catalog or shop.default
            user_id = _api_user(shop, user_id, request)
            try:
                shop.record(catalog, shopper_id(user_id, _session(request)), item_id, event)
            except ShopchatError as exc:
                raise gr.Error(str(exc)) from exc
            return f"recorded {event} of {item_id} for {user_id}"

        gr.api(feedback, api_name="feedback")

        def forget_guest(request: gr.Request) -> None:
            shop.forget_guest(shopper_id(GUEST, _session(request)))

        demo.unload(forget_guest)
    # Many turns at once: each shows its cards at retrieval speed; the model stage behind them
    # is bounded by the assistant's own gate (SHOPCHAT_LLM_CONCURRENCY / SHOPCHAT_LLM_QUEUE),
    # never by page slots a turn would hold while it waits for the model.
    demo.queue(default_concurrency_limit=shop.settings.ui_concurrency,
               max_size=shop.settings.ui_queue_size)
    return demo


def _bot(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def _chat_text(answer: Answer) -> str:
    """The chat transcript's line: the message, and where its items are."""
    # The cards list the items, numbered as the assistant refers to them ("#2"); the chat
    # does not list them again under numbers of its own, nor show their ids (those are for
    # API clients).
    if answer.intent in SHOWS_PRODUCTS and answer.items:
        return f"{answer.message}\n\n_{cards_pointer(len(answer.items), answer.language)}_"
    return answer.message


def _history(shop: Shop, catalog: str, shown: str, user: str) -> str:
    try:
        events = shop.history(catalog, user)
    except ShopchatError as exc:
        return f"⚠ {md_escape(str(exc))}"
    table = shop.assistant(catalog).searcher.table
    products = {e.item_id: p for e in events if (p := table.get(e.item_id)) is not None}
    return history_markdown(events, products, shown or GUEST)


def _feedback_handler(shop: Shop, slot: int, event: str, page_user: Any, shown_name: Any
                      ) -> Any:
    def handle(shown: list[dict[str, Any]], selected: str, catalog: str,
               request: gr.Request) -> tuple[list[dict[str, Any]], str, str]:
        if slot >= len(shown):
            raise gr.Error("That card is no longer shown.")
        item = AnswerItem.model_validate(shown[slot]["item"])
        user = page_user(selected, request)
        try:
            shop.record(catalog, user, item.id, event)
        except ShopchatError as exc:
            raise gr.Error(str(exc)) from exc
        shown = [dict(entry) for entry in shown]
        shown[slot]["feedback"] = event
        verb = "liked" if event == "like" else "marked as not for you"
        gr.Info(f"You {verb} “{item.title[:60]}”: the next answer takes it into account.")
        return (shown, card_html(item, slot + 1, feedback=event),
                _history(shop, catalog, shown_name(selected, user), user))

    return handle


def _api_stream(shop: Shop, message: str, user_id: str, catalog: str, session: str
                ) -> Iterator[str]:
    catalog = catalog or shop.default
    try:
        user = shopper_id(user_id, session)
        bot = shop.assistant(catalog)
        for event in bot.ask_stream(user, message, conversation_id(session, user, catalog,
                                                                   "api")):
            if isinstance(event, CandidatesEvent) and event.items:
                yield candidates_markdown(event.items)
            elif isinstance(event, AnswerEvent):
                yield reply_markdown(event.answer)
    except ShopchatError as exc:
        raise gr.Error(str(exc)) from exc


def _api_turn(shop: Shop, message: str, user_id: str, catalog: str, session: str) -> str:
    """``/chat``: the last of ``/chat_stream``'s updates (the reply)."""
    *_, reply = _api_stream(shop, message, user_id, catalog, session)
    return reply
