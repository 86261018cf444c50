"""``shopchat bench``: benchmarks that print figures (ratios against a raw baseline, same run)."""

from __future__ import annotations

import typer
from rich.table import Table

from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings

app = typer.Typer(no_args_is_help=True)

PRICE_CAPS = (50, 100, 200, 500, 1000)


@app.command("index")
def index(
    catalog: str = typer.Option(None, "--catalog", "-c"),
    limit: int = typer.Option(None, "--limit", help="Only the first N products."),
) -> None:
    """Index build throughput vs raw SentenceTransformer.encode on the same texts."""
    from catalog import load_catalog
    from retrieval.bench import bench_index

    settings = get_settings()
    with fail_cleanly():
        loaded = load_catalog(catalog or settings.default_catalog, settings.data_dir)
        result = bench_index(loaded, settings, limit)
    table = Table(title=f"index build, {result.items} products")
    for col in ("raw encode items/s", "shopchat index items/s", "ratio"):
        table.add_column(col)
    table.add_row(
        f"{result.raw_items_per_s:.1f}", f"{result.index_items_per_s:.1f}", f"{result.ratio:.3f}"
    )
    console.print(table)


@app.command("search")
def search(
    catalog: str = typer.Option(None, "--catalog", "-c"),
    judgments: str = typer.Option(
        None, "--judgments", help="query,docid,rating CSV for the queries."
    ),
    rounds: int = typer.Option(3, "--rounds"),
) -> None:
    """Hybrid search with a price filter (query embedding included) vs raw Chroma query latency."""
    import pandas as pd

    from retrieval import open_searcher
    from retrieval.bench import bench_search

    settings = get_settings()
    path = judgments or str(settings.data_dir / "icecat" / "judgments.csv")
    with fail_cleanly():
        texts = sorted(pd.read_csv(path)["query"].astype(str).unique())
        queries = [f"{q} under ${PRICE_CAPS[i % len(PRICE_CAPS)]}" for i, q in enumerate(texts)]
        searcher = open_searcher(catalog or settings.default_catalog, settings)
        lat = bench_search(searcher, queries, rounds)
    table = Table(title=f"search latency, {len(queries)} queries x {rounds} rounds, price filter")
    for col in ("stage", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(col)
    for name, series in lat.items():
        table.add_row(
            name, f"{series.pct(50):.2f}", f"{series.pct(95):.2f}", f"{series.pct(99):.2f}"
        )
    console.print(table)
    hybrid, raw = lat["hybrid search (total)"], lat["raw Chroma top-100, where filter"]
    console.print(f"hybrid p50 / raw filtered Chroma p50 = {hybrid.pct(50) / raw.pct(50):.2f}")
