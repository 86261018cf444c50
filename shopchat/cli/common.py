"""Helpers every subcommand shares: logging set-up and turning shopchat errors into exit codes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.logging import RichHandler

console = Console()
err_console = Console(stderr=True)


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False, rich_tracebacks=False)],
        force=True,
    )
    for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3", "numba", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@contextmanager
def reported_here(logger: str) -> Iterator[None]:
    """Hold ``logger``'s lines while a command reports the same facts itself (once, in its own
    words, rejected rows included); errors still show, and ``-v`` (debug) shows everything."""
    target = logging.getLogger(logger)
    if target.getEffectiveLevel() <= logging.DEBUG:
        yield
        return
    before = target.level
    target.setLevel(logging.ERROR)
    try:
        yield
    finally:
        target.setLevel(before)


@contextmanager
def fail_cleanly() -> Iterator[None]:
    """Show a ShopchatError as one red line and exit 1, instead of a traceback."""
    from shopchat.errors import ShopchatError

    try:
        yield
    except ShopchatError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from exc
