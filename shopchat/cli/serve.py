"""``shopchat serve``: the Gradio chat page over every indexed catalog."""

from __future__ import annotations

import os

import typer

from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings


def serve(
    catalog: str = typer.Option(None, "--catalog", "-c", help="Catalog shown first."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(7860, "--port", "-p"),
) -> None:
    """Chat page with product cards, likes and shopper selection (Ctrl-C stops it)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from assistant.ui import Shop
    from assistant.ui.app import launch_app

    settings = get_settings()
    with fail_cleanly():
        shop = Shop.open(settings, catalog)
    console.print(f"[bold]shopchat[/] serving {', '.join(shop.catalogs)} on http://{host}:{port}")
    try:
        launch_app(shop, host=host, port=port)
    finally:
        shop.close()
