"""``shopchat data``: download the data sets into the data directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings

app = typer.Typer(help="Download and verify the data sets.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Data sets."""


@app.command("fetch")
def fetch(
    name: Annotated[str | None, typer.Argument(
        help="icecat, online-retail or dummyjson; omit for all.",
    )] = None,
    base_url: Annotated[str | None, typer.Option(
        "--base-url",
        help="Fetch <base>/<dataset>/<file> from this mirror (default: SHOPCHAT_DATA_BASE_URL, "
             "else each file's public home).",
    )] = None,
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", file_okay=False, help="Where to put the files (default: SHOPCHAT_DATA_DIR).",
    )] = None,
) -> None:
    """Download a data set (all when NAME is omitted), verify sha256, skip files already there."""
    from shopchat.datasets import fetch as fetch_files

    settings = get_settings()
    target = data_dir or settings.data_dir
    with fail_cleanly():
        paths = fetch_files(name, target, base_url or settings.data_base_url)
    table = Table(title=f"Data in {target}", title_justify="left")
    table.add_column("file")
    table.add_column("size", justify="right")
    for path in paths:
        table.add_row(str(path.relative_to(target)), f"{path.stat().st_size / 1e6:.1f} MB")
    console.print(table)
    console.print(f"{len(paths)} file(s) present, checksums verified")
