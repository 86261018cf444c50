"""``shopchat serve``: the chat page and the HTTP API (``/api/v1``, ``/docs``) in one server."""

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
    """Chat page with product cards and likes, plus the HTTP API for storefronts (Ctrl-C stops
    it). SHOPCHAT_API_KEYS protects the API; SHOPCHAT_DEMO=true shows the shopper selector."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from assistant.api.app import serve as run
    from assistant.ui import Shop

    settings = get_settings()
    with fail_cleanly():
        shop = Shop.open(settings, catalog)
    url = f"http://{host}:{port}"
    mode = "demo mode: any shopper may be picked" if settings.demo else "guests and tokens"
    console.print(f"[bold]shopchat[/] serving {', '.join(shop.catalogs)} on {url} ({mode}); "
                  f"API {url}/api/v1, docs {url}/docs")
    try:
        run(shop, host, port)
    finally:
        shop.close()
