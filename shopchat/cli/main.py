"""Entry point: ``shopchat <subcommand>``."""

from __future__ import annotations

import typer

from shopchat.cli import (
    ask,
    bench,
    data,
    evaluate,
    forget,
    index,
    search,
    serve,
    serve_llm,
    token,
)
from shopchat.cli.common import fail_cleanly, setup_logging
from shopchat.settings import get_settings

app = typer.Typer(help="shopchat: conversational product search.", no_args_is_help=True)
app.command("index")(index.index)
app.command("search")(search.search)
app.command("ask")(ask.ask)
app.command("chat")(ask.chat)
app.command("forget")(forget.forget)
app.command("serve")(serve.serve)
app.command("serve-llm")(serve_llm.serve_llm)
app.command("token")(token.token)
app.add_typer(data.app, name="data", help="Fetch data sets.")
app.add_typer(evaluate.app, name="eval", help="Offline evaluation.")
app.add_typer(bench.app, name="bench", help="Speed benchmarks that print figures.")


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging.")) -> None:
    setup_logging(verbose)
    with fail_cleanly():
        get_settings()  # every SHOPCHAT_* value is checked before any command runs


if __name__ == "__main__":
    app()
