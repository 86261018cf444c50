"""The chat page (Gradio): ``shopchat serve`` launches it.

    from assistant.ui import Shop, build_app
    demo = build_app(Shop.open(get_settings(), "icecat"))
    demo.launch()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.ui.shop import Shop, indexed_catalogs

if TYPE_CHECKING:
    import gradio as gr

__all__ = ["Shop", "build_app", "indexed_catalogs"]


def build_app(shop: Shop) -> gr.Blocks:
    """The page's Blocks, queue configured (gradio is imported only here: it is slow to load)."""
    from assistant.ui.app import build_app as build

    return build(shop)
