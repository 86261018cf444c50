"""Cards, chat Markdown and notices: catalog text is shown as text, never as markup."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from assistant.answer import Answer, AnswerItem
from assistant.markdown import md_escape
from assistant.ui.render import (
    PLACEHOLDER_URL,
    card_html,
    history_markdown,
    image_html,
    notice_html,
    reply_item_ids,
    reply_markdown,
)
from retrieval.profiles import StoredEvent
from shopchat.records import EventKind, Product

HOSTILE = AnswerItem(id="x`1", title="<script>alert(1)</script> **Mouse**", brand="<b>Evil</b>",
                     price=9.5, currency="GBP", image_url="javascript:alert(1)",
                     reason="<img src=x onerror=alert(2)> [link](javascript:alert(3))")


@pytest.mark.parametrize(("text", "expected"), [
    ("<script>x</script>", r"\<script\>x\</script\>"),
    ("**bold** _it_ `code`", r"\*\*bold\*\* \_it\_ \`code\`"),
    ("[a](javascript:x)", r"\[a\](javascript:x)"),
    ("# heading", r"\# heading"),
    ("- item", r"\- item"),
    ("1. first", r"1\. first"),
    ("a | b ~~c~~", r"a \| b \~\~c\~\~"),
    ("line\nbreak\ttab", "line break tab"),
    ("plain text, 3.5 mm - ok", "plain text, 3.5 mm - ok"),
])
def test_md_escape(text: str, expected: str) -> None:
    assert md_escape(text) == expected


def test_card_escapes_every_catalog_field() -> None:
    card = card_html(HOSTILE, 1)
    assert "<script" not in card and "<b>" not in card and "<img src=x" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert "&lt;b&gt;Evil&lt;/b&gt;" in card
    assert "£9.50" in card
    assert 'data-item-id="x`1"' in card
    assert 'src="javascript' not in card and 'class="noimg"' in card  # a javascript: URL: no photo
    assert 'alt="&lt;script&gt;' in card  # the escaped title is the image's alt text


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "data:text/html,x", "//host/x.png",
                                 'https://a/x.png" onerror="alert(1)', "https://a/x y.png"])
def test_unsafe_or_missing_images_show_the_placeholder(url: str) -> None:
    assert image_html(url, 'Mouse "pro"') == (
        f'<img src="{PLACEHOLDER_URL}" alt="Mouse &quot;pro&quot;" class="noimg">')


def test_safe_image_falls_back_to_the_placeholder_when_it_cannot_load() -> None:
    tag = image_html("https://images.example/p.jpg?a=1&b=2", "Mouse")
    assert tag.startswith('<img src="https://images.example/p.jpg?a=1&amp;b=2" alt="Mouse"')
    assert f"this.src='{PLACEHOLDER_URL}'" in tag
    assert "'" not in PLACEHOLDER_URL and '"' not in PLACEHOLDER_URL


def test_pending_and_feedback_cards() -> None:
    item = AnswerItem(id="1", title="Mouse", price=None, reason="fits")
    assert "ranking and explaining" in card_html(item, 2, pending=True)
    assert "fits" not in card_html(item, 2, pending=True)
    liked = card_html(item, 2, feedback="like")
    assert "liked" in liked and "price not listed" in liked and ">2.<" in liked


def test_reply_markdown_lists_items_with_ids() -> None:
    answer = Answer(session_id="s", message="Here are 2 matches.",
                    items=[HOSTILE, AnswerItem(id="42", title="Plain", price=3.0)])
    text = reply_markdown(answer)
    assert text.startswith("Here are 2 matches.")
    assert r"\<script\>" in text and "<script>" not in text
    assert reply_item_ids(text) == ["x'1", "42"]
    assert "onerror" in text and not re.search(r"(?<!\\)<", text)  # every < is escaped
    compact = reply_markdown(answer, reasons=False, ids=False)
    assert "onerror" not in compact and reply_item_ids(compact) == []


def test_notice_and_history() -> None:
    assert notice_html(None) == ""
    assert "&lt;b&gt;" in notice_html("llm_timeout: <b>20 s</b>")
    ts = datetime(2026, 1, 2, tzinfo=UTC).timestamp()
    events = [StoredEvent(1, "u", "p1", EventKind.LIKE, ts),
              StoredEvent(2, "u", "", EventKind.QUERY, ts, query="<i>red</i> shoes")]
    text = history_markdown(events, {"p1": Product("p1", "Mouse *pro*")}, "u_1")
    assert "2026-01-02 · like · Mouse \\*pro\\*" in text
    assert "query · \\<i\\>red\\</i\\> shoes" in text and "u\\_1" in text
    assert "No history yet" in history_markdown([], {}, "guest")


def test_facet_chips_show_hide_and_escape() -> None:
    import gradio as gr

    from assistant.answer import AnswerFacet, AnswerFacetValue
    from assistant.ui.chips import CHIPS_PER_ROW, FACET_ROWS, FacetChips, chip_query
    from assistant.ui.render import chip_text

    facets = [
        AnswerFacet(name="brand", label="<b>Brand</b>", values=[
            AnswerFacetValue(label="<b>EvilCorp</b>", count=2, query="only <b>EvilCorp</b>"),
            AnswerFacetValue(label="HP", count=1, query="only HP")]),
        AnswerFacet(name="display_diagonal", label="Display diagonal", values=[
            AnswerFacetValue(label=f"{n} inch", count=n, query=f"{n} inch")
            for n in range(20, 20 + CHIPS_PER_ROW + 2)]),
    ]
    with gr.Blocks():
        chips = FacetChips.build()
    update = chips.show(facets)

    assert update[chips.state] == [f.model_dump() for f in facets]
    assert update[chips.names[0]] == (
        '<span class="shopchat-facet-label">&lt;b&gt;Brand&lt;/b&gt;</span>')
    assert update[chips.chips[0][0]]["value"] == "<b>EvilCorp</b> (2)"  # a button's text
    assert [update[r]["visible"] for r in chips.rows] == [True, True] + [False] * (FACET_ROWS - 2)
    assert [update[c]["visible"] for c in chips.chips[0]] == [True, True] + [False] * (
        CHIPS_PER_ROW - 2)
    assert all(update[c]["visible"] for c in chips.chips[1])  # the first CHIPS_PER_ROW values
    assert chip_text(facets[1].values[0]) == "20 inch (20)"
    assert chip_query(update[chips.state], 1, 2) == "22 inch"
    with pytest.raises(gr.Error):
        chip_query(update[chips.state], 3, 0)  # that chip is hidden now

    cleared = chips.show([])
    assert cleared[chips.state] == [] and not any(cleared[r]["visible"] for r in chips.rows)
