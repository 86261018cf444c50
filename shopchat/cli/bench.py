"""``shopchat bench``: benchmarks that print figures (ratios against a raw baseline, same run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from shopchat.cli.bench_sessions import sessions
from shopchat.cli.common import console, fail_cleanly
from shopchat.errors import ConfigError
from shopchat.settings import get_settings

if TYPE_CHECKING:
    from assistant.ui.load import LoadRun
    from retrieval.bench import Latency
    from retrieval.searcher import Searcher

app = typer.Typer(no_args_is_help=True)
app.command("sessions")(sessions)

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
    specs: bool = typer.Option(True, "--specs/--no-specs",
                               help="Also time the hand-written spec queries."),
    chinese: bool = typer.Option(True, "--chinese/--no-chinese",
                                 help="Also time the shipped Chinese queries (with prices)."),
) -> None:
    """Hybrid search with a price filter (query embedding included) vs raw Chroma query latency;
    then spec queries (parse and spec-filtered search) and Chinese queries beside English."""
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
    _latency_table(f"search latency, {len(queries)} queries x {rounds} rounds, price filter",
                   lat)
    hybrid, raw = lat["hybrid search (total)"], lat["raw Chroma top-100, where filter"]
    console.print(f"hybrid p50 / raw filtered Chroma p50 = {hybrid.pct(50) / raw.pct(50):.2f}")
    if specs:
        from eval.spec_queries import load_written
        from retrieval.bench import bench_specs

        spec_queries = [q.query for q in load_written()]
        with fail_cleanly():
            spec_lat = bench_specs(searcher, spec_queries, rounds)
        _latency_table(f"spec queries, {len(spec_queries)} x {rounds} rounds", spec_lat)
        total, raw = (spec_lat["spec-filtered hybrid search (parse included)"],
                      spec_lat["raw Chroma top-100, no filter"])
        console.print(f"spec search p50 / raw Chroma p50 = {total.pct(50) / raw.pct(50):.1f}")
    if chinese:
        _bench_chinese(searcher, rounds)


def _bench_chinese(searcher: Searcher, rounds: int) -> None:
    """The shipped pairs, each also with a price cap in the shopper's words (dollars and yuan)."""
    from eval.translated import CHINESE_PAIRS, read_pairs
    from retrieval.bench import bench_chinese

    _, pairs = read_pairs(CHINESE_PAIRS)
    caps = [PRICE_CAPS[i % len(PRICE_CAPS)] for i in range(len(pairs))]
    priced = [(f"{zh}{cap}美元以下" if i % 2 else f"{zh} {round(cap * searcher.yuan_rate)}元以内",
               f"{en} under ${cap}") for i, ((zh, en), cap) in enumerate(zip(pairs, caps,
                                                                            strict=True))]
    with fail_cleanly():
        lat = bench_chinese(searcher, pairs + priced, rounds)
    _latency_table(f"Chinese queries, {len(pairs) + len(priced)} x {rounds} rounds", lat)
    zh, en = (lat["hybrid search, Chinese query (parse included)"],
              lat["hybrid search, the English query"])
    console.print(f"Chinese search p50 / English search p50 = {zh.pct(50) / en.pct(50):.2f}")


def _latency_table(title: str, lat: dict[str, Latency]) -> None:
    table = Table(title=title)
    for col in ("stage", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(col)
    for name, series in lat.items():
        table.add_row(
            name, f"{series.pct(50):.2f}", f"{series.pct(95):.2f}", f"{series.pct(99):.2f}"
        )
    console.print(table)


@app.command("ask")
def ask(
    catalog: str = typer.Option(None, "--catalog", "-c"),
    judgments: str = typer.Option(
        None, "--judgments", help="query,docid,rating CSV for the queries."
    ),
    backends: str = typer.Option("local", "--backends", help="Comma-separated: local,openai,none."),
    queries: int = typer.Option(95, "--queries", "-n", min=1),
) -> None:
    """Full turns (retrieve, LLM rerank, reasons) per backend side by side; answers checked."""
    import pandas as pd

    from assistant import Assistant
    from assistant.bench import STAGES, bench_ask
    from assistant.llm import get_llm
    from retrieval import open_searcher

    settings = get_settings()
    path = judgments or str(settings.data_dir / "icecat" / "judgments.csv")
    texts = sorted(pd.read_csv(path)["query"].astype(str).unique())
    # Every other query carries a price cap, so constraints are exercised too.
    asked = [
        f"{q} under ${PRICE_CAPS[i % len(PRICE_CAPS)]}" if i % 2 else q for i, q in enumerate(texts)
    ][:queries]
    results = []
    with fail_cleanly():
        searcher = open_searcher(catalog or settings.default_catalog, settings)
        for backend in backends.split(","):
            configured = settings.model_copy(update={"llm_backend": backend.strip()})
            bot = Assistant(searcher, get_llm(configured), configured)
            bot.ask("warmup", asked[0])  # loads the model; not timed
            results.append(bench_ask(bot, asked, backend.strip()))
    table = Table(title=f"ask: {len(asked)} turns per backend (ms)")
    table.add_column("stage")
    for r in results:
        table.add_column(f"{r.backend} p50", justify="right")
        table.add_column(f"{r.backend} p95", justify="right")
    for stage in STAGES:
        table.add_row(stage, *[f"{r.pct(stage, q):.0f}" for r in results for q in (50, 95)])
    console.print(table)
    for r in results:
        explained = sum(r.items_explained) / max(1, r.answers)
        console.print(
            f"{r.backend}: {r.answers} answers, {r.degraded} degraded, "
            f"{explained:.1f} explained items per answer, "
            f"{len(r.invalid)} invalid items"
        )
        for problem in r.invalid[:10]:
            console.print(f"  [red]invalid:[/] {problem}")
    if any(r.invalid for r in results):
        raise typer.Exit(1)


@app.command("personal")
def personal(
    catalog: str = typer.Option("online-retail", "--catalog", "-c"),
    samples: int = typer.Option(100, "--samples", "-n", min=1, help="record() calls timed."),
    seed: int = typer.Option(0, "--seed"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Profile build time for all users, record() latency until the next search sees it."""
    from catalog import load_catalog
    from retrieval.profiles.bench import bench_personal

    settings = get_settings()
    with fail_cleanly():
        loaded = load_catalog(catalog, settings.data_dir)
        result = bench_personal(loaded, settings, samples, seed, progress=not quiet)
    b = result.build
    console.print(
        f"profile build, all users: {b.users} users from {b.events_total} events in "
        f"{b.seconds:.1f}s ({b.users / b.seconds:.0f} users/s, events imported into SQLite "
        f"included)"
    )
    table = Table(title=f"record() latency, {result.samples} samples (ms)")
    for col in ("stage", "p50", "p95", "p99"):
        table.add_column(col)
    for name, series in result.series.items():
        table.add_row(name, f"{series.pct(50):.2f}", f"{series.pct(95):.2f}",
                      f"{series.pct(99):.2f}")
    console.print(table)
    record = result.series["record() -> profile visible in this process"]
    raw = result.series["raw Chroma upsert of one profile (baseline)"]
    console.print(f"record() p50 / raw Chroma upsert p50 = {record.pct(50) / raw.pct(50):.2f}; "
                  f"next search saw the new event in {result.visible}/{result.samples} samples")


@app.command("ui")
def ui(
    catalog: str = typer.Option(None, "--catalog", "-c"),
    shoppers: int = typer.Option(16, "--shoppers", help="Concurrent simulated shoppers."),
    turns: int = typer.Option(5, "--turns", help="Turns per shopper (at most 5)."),
    baseline: int = typer.Option(4, "--baseline", help="Shoppers run one at a time first."),
    url: str = typer.Option(None, "--url", help="A running page (default: start one)."),
    out_dir: Path | None = typer.Option(None, "--out", file_okay=False,
                                        help="Write metrics.json here."),
) -> None:
    """Simulated shoppers through the chat page's streamed API: errors, validity, first cards
    and final answers."""
    from contextlib import nullcontext

    from assistant.ui.load import run_load, served_page
    from retrieval.product_table import ProductTable
    from shopchat.errors import IndexNotBuiltError

    settings = get_settings()
    name = catalog or settings.default_catalog
    with fail_cleanly():
        if not settings.lexical_dir(name).exists():
            raise IndexNotBuiltError(f"catalog {name!r} is not indexed: run "
                                     f"`shopchat index --catalog {name}` first")
        table = ProductTable.load(settings.lexical_dir(name))
        with nullcontext(url) if url else served_page(name) as page:
            runs = [run_load(page, name, table, baseline, turns, concurrent=False),
                    run_load(page, name, table, shoppers, turns, concurrent=True)]
    title = (f"chat page /chat_stream, {name}, {turns} turns per shopper (LLM: "
             f"{settings.llm_backend}, budget {settings.llm_timeout:g} s)")
    _load_report(title, runs, out_dir, "shopper")


@app.command("load")
def load(
    catalog: str = typer.Option(None, "--catalog", "-c"),
    conversations: int = typer.Option(64, "--conversations", "-n",
                                      help="Concurrent conversations through ask()."),
    turns: int = typer.Option(5, "--turns", help="Turns per conversation (at most 5)."),
    baseline: int = typer.Option(4, "--baseline", help="Conversations run one at a time first."),
    out_dir: Path | None = typer.Option(None, "--out", file_okay=False,
                                        help="Write metrics.json here."),
) -> None:
    """Concurrent conversations through Assistant.ask_stream(): errors, leaks, busy, first
    cards and final answers."""
    from assistant import Assistant
    from assistant.load import run_ask_load

    settings = get_settings()
    with fail_cleanly():
        bot = Assistant.open(catalog, settings)
        runs = [run_ask_load(bot, baseline, turns, concurrent=False),
                run_ask_load(bot, conversations, turns, concurrent=True)]
    title = (f"ask_stream(), {bot.searcher.catalog}, {turns} turns per conversation (LLM: "
             f"{settings.llm_backend}, budget {settings.llm_timeout:g} s)")
    _load_report(title, runs, out_dir, "conversation")


@app.command("api")
def api(
    catalog: str = typer.Option(None, "--catalog", "-c"),
    conversations: int = typer.Option(64, "--conversations", "-n",
                                      help="Concurrent conversations."),
    turns: int = typer.Option(5, "--turns", help="Turns per conversation (at most 5)."),
    solo: int = typer.Option(8, "--solo", help="Conversations run one at a time first."),
    replicas: str = typer.Option("1,2", "--replicas", help="Replica counts to run."),
    rounds: int = typer.Option(3, "--rounds", min=1,
                               help="Times the concurrent burst runs (pooled: one burst's p50 "
                                    "depends on how its turns happened to queue)."),
    llm: bool = typer.Option(False, "--llm/--no-llm",
                             help="Keep the model stage (default: retrieval only, so the "
                                  "figures measure the HTTP and session layers)."),
) -> None:
    """HTTP ask (POST /api/v1/ask on 1 and 2 `shopchat serve` replicas) vs ask() in this
    process: the same leak-checked conversations, p50/p95 per turn, one at a time and at once.
    Two replicas need SHOPCHAT_CHROMA_URL and SHOPCHAT_DATABASE_URL (shared stores)."""
    import secrets

    from assistant import Assistant
    from assistant.api_load import run_api_load
    from assistant.load import run_ask_load
    from assistant.served import served_replicas

    settings = get_settings()
    counts = [int(n) for n in replicas.split(",") if n.strip()]
    backend = settings.llm_backend if llm else "none"
    settings = settings.model_copy(update={"llm_backend": backend})
    key = secrets.token_urlsafe(24)
    env = {"SHOPCHAT_LLM_BACKEND": backend, "SHOPCHAT_API_KEYS": key}
    with fail_cleanly():
        if max(counts, default=1) > 1 and not (settings.chroma_url and settings.database_url):
            raise ConfigError("several replicas share state through a `chroma run` server and "
                              "PostgreSQL: set SHOPCHAT_CHROMA_URL and SHOPCHAT_DATABASE_URL")
        bot = Assistant.open(catalog, settings)
        name, table = bot.searcher.catalog, bot.searcher.table
        runs = {"ask()": [run_ask_load(bot, solo, turns, concurrent=False),
                          pooled([run_ask_load(bot, conversations, turns, concurrent=True)
                                  for _ in range(rounds)])]}
        if bot.personaliser is not None:
            bot.personaliser.close()
        bot.searcher.close()  # the replicas open the stores next
        for count in counts:
            with served_replicas(name, count, env) as served:
                urls = [r.url for r in served]
                runs[f"HTTP, {count} replica{'s' if count > 1 else ''}"] = [
                    run_api_load(urls, name, table, solo, turns, key, concurrent=False),
                    pooled([run_api_load(urls, name, table, conversations, turns, key)
                            for _ in range(rounds)])]
    out = Table(title=f"ask: HTTP API vs in-process, {name}, {turns} turns per conversation "
                      f"(LLM: {backend})")
    for col in ("runner", "conversations", "turns", "errors", "invalid", "p50 ms", "p95 ms",
                "turns/s", "p50 - ask() p50 ms"):
        out.add_column(col, justify="right")
    base = runs["ask()"]
    for label, pair in runs.items():
        for run, ref in zip(pair, base, strict=True):
            out.add_row(label, run.label, str(len(run.turns)),
                        str(sum(1 for t in run.turns if t.error)),
                        str(sum(1 for t in run.turns if t.problem and not t.error)),
                        f"{run.pct(50):.1f}", f"{run.pct(95):.1f}", f"{run.turns_per_s:.1f}",
                        f"{run.pct(50) - ref.pct(50):+.1f}")
    console.print(out)
    console.print(f"the concurrent rows pool {rounds} bursts of {conversations} conversations")
    for run in [r for pair in runs.values() for r in pair]:
        for turn in [t for t in run.turns if t.problem][:5]:
            console.print(f"[red]{run.label}: conversation {turn.shopper} turn {turn.step + 1} "
                          f"({turn.message!r}): {turn.problem}[/]")
    if any(run.errors for pair in runs.values() for run in pair):
        raise typer.Exit(1)


def pooled(runs: list[LoadRun]) -> LoadRun:
    """Several runs of one kind as one: every turn, the walls added up."""
    from assistant.ui.load import LoadRun

    out = LoadRun(runs[0].label, runs[0].shoppers)
    for run in runs:
        out.turns.extend(run.turns)
        out.wall_s += run.wall_s
    return out


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if isinstance(value, int) or value >= 100 else f"{value:.2f}"


def _load_report(title: str, runs: list[LoadRun], out_dir: Path | None, who: str) -> None:
    """The baseline and the concurrent run side by side, their ratios, ``metrics.json``."""
    out = Table(title=title)
    out.add_column("")
    for run in runs:
        out.add_column(run.label, justify="right")
    metrics = [run.metrics() for run in runs]
    for key in ("turns", "errors", "invalid", "busy", "degraded", "model_output_share",
                "turns_per_s"):
        out.add_row(key.replace("_", " "), *[_figure(m[key]) for m in metrics])
    for key in ("first_cards_ms", "final_ms"):
        for q in ("p50", "p95", "p99"):
            out.add_row(f"{key.replace('_ms', '').replace('_', ' ')} {q} ms",
                        *[_figure(m[key][q]) for m in metrics])
    console.print(out)
    solo, many = runs
    console.print(f"first cards p95 under load / one at a time: "
                  f"{many.first_pct(95) / solo.first_pct(95):.2f}; final p95: "
                  f"{many.pct(95) / solo.pct(95):.2f}; throughput ratio: "
                  f"{many.turns_per_s / solo.turns_per_s:.2f}")
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        record = {"concurrent": many.metrics(), "baseline": solo.metrics()}
        (out_dir / "metrics.json").write_text(json.dumps(record, indent=2) + "\n",
                                              encoding="utf-8")
        console.print(f"metrics written to {out_dir / 'metrics.json'}")
    for turn in [t for run in runs for t in run.errors][:20]:
        console.print(f"[red]{who} {turn.shopper} turn {turn.step + 1} "
                      f"({turn.message!r}): {turn.problem}[/]")
    if any(run.errors for run in runs):
        raise typer.Exit(1)
