"""``shopchat eval``: offline evaluation over judgment files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from shopchat.cli import ranking, translated
from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import get_settings

if TYPE_CHECKING:
    from eval.by_class import ClassRow
    from eval.type_precision import StageEffect, TypePrecision

app = typer.Typer(help="Offline evaluation: search quality and latency over judgment files.",
                  no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Offline evaluation."""


def metrics_table(summary: dict[str, dict[str, float]]) -> Table:
    table = Table(title="Search evaluation", title_justify="left")
    for col in ("system", "nDCG@10", "Recall@100", "MRR", "p50 ms", "p95 ms"):
        table.add_column(col, justify="left" if col == "system" else "right")
    for name, row in summary.items():
        folds = int(row.get("cv_folds", 0))
        label = f"{name} ({folds}-fold CV)" if folds else name
        table.add_row(label, f"{row['ndcg@10']:.4f}", f"{row['recall@100']:.4f}",
                      f"{row['mrr']:.4f}", f"{row['p50_ms']:.1f}", f"{row['p95_ms']:.1f}")
    return table


def class_table(rows: list[ClassRow]) -> Table:
    """nDCG@10 per query class: answerable queries (all queries in brackets), and each
    system's difference to bm25 on the answerable ones."""
    from eval.by_class import BASELINE

    systems = list(rows[0].all_queries) if rows else []
    table = Table(title="nDCG@10 by query class: answerable (all queries)", title_justify="left")
    for col in ("class", "queries", "answerable", *systems):
        table.add_column(col, justify="left" if col == "class" else "right")
    for row in rows:
        cells = []
        for system in systems:
            cell = f"{row.answerable_queries[system]:.3f} ({row.all_queries[system]:.3f})"
            if system != BASELINE and BASELINE in row.answerable_queries and row.answerable:
                diff = row.answerable_queries[system] - row.answerable_queries[BASELINE]
                cell += f" {diff:+.3f}"
            cells.append(cell)
        table.add_row(row.query_class, str(row.queries), str(row.answerable), *cells)
    return table


@app.command("search")
def search(
    catalog: Annotated[str | None, typer.Option(
        "--catalog", "-c", help="Indexed catalog to search (default: SHOPCHAT_DEFAULT_CATALOG).",
    )] = None,
    judgments: Annotated[Path | None, typer.Option(
        "--judgments", "-j", dir_okay=False,
        help="query,docid,rating CSV (default: <data_dir>/<catalog>/judgments.csv).",
    )] = None,
    systems: Annotated[str, typer.Option(
        "--systems", "-s", help="Comma-separated system names.",
    )] = "bm25,dense,rrf,default",
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False, help="Report folder (default: <home>/eval/<catalog>).",
    )] = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=1000, help="Results per search.")] = 100,
    cv: Annotated[int, typer.Option(
        "--cv", min=0, help="Score systems with a trained ranker (default, hybrid) by N-fold "
        "cross-validation over queries (0: score the shipped model).",
    )] = 0,
    cv_seed: Annotated[int, typer.Option(
        "--cv-seed", help="How queries are shuffled into folds (0: the reported split).")] = 0,
    type_precision: Annotated[bool, typer.Option(
        "--type-precision", help="Also score type precision@5 over the queries that name a "
        "product type of the catalog (writes type_precision.json).")] = False,
    type_lead: Annotated[bool, typer.Option(
        "--type-lead/--no-type-lead", help="Search with (default) or without the stage that puts "
        "the asked-for product type before its accessories.")] = True,
    classes: Annotated[bool, typer.Option(
        "--by-class", help="Also print nDCG@10 per query class (acronym, plural/singular, brand "
        "only, model number, multi-word type, attribute + type, other; all queries and "
        "answerable ones, each system against bm25); writes by_class.csv.")] = False,
) -> None:
    """Score search systems (nDCG@10, Recall@100, MRR, latency) and write a report.

    Systems: bm25, dense, rrf (hybrid by rank fusion), hybrid (the configured ranker),
    default (exactly what ask() returns without an LLM), hybrid+llm, hybrid+llm-only.
    """
    from eval.search_eval import evaluate_search, write_report
    from retrieval import open_searcher

    settings = get_settings()
    catalog = catalog or settings.default_catalog
    judgments = judgments or settings.data_dir / catalog / "judgments.csv"
    out = out or settings.home / "eval" / catalog
    with fail_cleanly():
        opened = open_searcher(catalog, settings)
        searcher = opened if type_lead else opened.without_type_lead()
        if "default" in systems.split(","):
            from eval.assistant_systems import register_default_system

            register_default_system(settings, searcher)
        if "+llm" in systems:
            from eval.assistant_systems import register_assistant_systems

            register_assistant_systems(settings, searcher)
        result = evaluate_search(searcher, judgments, systems.split(","), k=k, cv=cv,
                                 cv_seed=cv_seed)
        paths = write_report(result, out)
        if type_precision:
            from eval.type_precision import score_types, stage_effect, write_type_precision

            types = score_types(opened, result)
            effects = None if type_lead else stage_effect(opened, result)
            paths.append(write_type_precision(types, out, effects))
        if classes:
            from eval.by_class import by_class, write_by_class
            from eval.judgments import load_judgments

            classify = opened.vocabulary.query_classes.classify
            class_rows = by_class(result, load_judgments(judgments), classify)
            paths += write_by_class(class_rows, {q: classify(q) for q in result.queries}, out)
    console.print(metrics_table(result.summary()))
    if classes:
        console.print(class_table(class_rows))
    if type_precision:
        _print_types(types, effects)
    console.print(f"{len(result.queries)} queries from {judgments}")
    for path in paths:
        console.print(f"wrote {path}")


def _print_types(types: dict[str, TypePrecision], effects: dict[str, StageEffect] | None) -> None:
    for name, tp in types.items():
        console.print(f"{name}: type precision@{tp.at} {tp.mean:.4f} over {len(tp.heads)} "
                      "queries that name a catalog product type")
        if effects and name in effects:
            e = effects[name]
            console.print(f"  with the type-lead stage applied to these rankings: type "
                          f"precision@{tp.at} {e.types.mean:.4f}, nDCG@10 "
                          f"{e.metrics['ndcg@10']:.4f}, Recall@100 {e.metrics['recall@100']:.4f}"
                          f", MRR {e.metrics['mrr']:.4f}; top 10 reordered on {len(e.changed)} "
                          f"queries: {', '.join(e.changed)}")


PurchasesCatalogOpt = Annotated[str, typer.Option(
    "--catalog", "-c", help="A catalog with purchase histories.")]
UsersOpt = Annotated[int, typer.Option("--users", "-n", min=1, help="Users sampled (fixed seed).")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Sampling seed.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


@app.command("personal")
def personal(
    catalog: PurchasesCatalogOpt = "online-retail",
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False,
        help="Report folder (default: <home>/eval/<catalog>-personal).")] = None,
    users: UsersOpt = 200,
    queries_per_user: Annotated[int, typer.Option(
        "--queries-per-user", min=1, help="Distinct test queries per user, at most.")] = 5,
    cutoff: Annotated[str | None, typer.Option(
        "--cutoff", help="Train before this date (YYYY-MM-DD, UTC); default: the month "
        "holding the 60% quantile of purchase times (online-retail: 2011-09-01).")] = None,
    seed: SeedOpt = 13,
    quiet: QuietOpt = False,
) -> None:
    """Time-split personalisation eval: search with vs without the profile, and recommend."""
    from catalog import load_catalog
    from eval.personal_eval import PersonalEvalConfig, evaluate_personal
    from eval.personal_report import write_personal_report

    settings = get_settings()
    out = out or settings.home / "eval" / f"{catalog}-personal"
    with fail_cleanly():
        cfg = PersonalEvalConfig(cutoff=_day(cutoff, "--cutoff"), users=users,
                                 queries_per_user=queries_per_user, seed=seed)
        loaded = load_catalog(catalog, settings.data_dir)
        result = evaluate_personal(loaded, settings, cfg, progress=not quiet)
        paths = write_personal_report(result, out)
    m = result.metrics
    console.print(f"cut-off {result.cutoff:%Y-%m-%d}: {m['users']} users, {m['queries']} queries")
    table = Table(title="Personalisation: same candidates, with and without the profile",
                  title_justify="left")
    for col in ("system", "nDCG@10", "MRR", "Recall@10"):
        table.add_column(col, justify="left" if col == "system" else "right")
    for name in ("non_personalised", "personalised"):
        row = m[name]
        table.add_row(name, f"{row['ndcg@10']:.4f}", f"{row['mrr']:.4f}",
                      f"{row['recall@10']:.4f}")
    console.print(table)
    base = m["non_personalised"]["mrr"]
    console.print(f"MRR ratio personalised / non-personalised = "
                  f"{(m['personalised']['mrr'] / base if base else float('nan')):.3f}")
    room = result.details.get("headroom")
    if room:
        console.print(f"headroom: {room['repeat_share']:.1%} of queries are for an item bought "
                      f"before; ranking it first in all of them gives a ratio of "
                      f"{room['repeat_oracle_ratio']:.3f}")
    rec = m["recommend"]
    console.print(f"empty query, next basket Recall@20: recommend {rec['recall@20']:.4f} vs "
                  f"popularity {rec['popularity_recall@20']:.4f}")
    for path in paths:
        console.print(f"wrote {path}")


def _day(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError as exc:
        raise typer.BadParameter(f"{option}: {exc}") from exc


@app.command("train-personal")
def train_personal(
    catalog: PurchasesCatalogOpt = "online-retail",
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", dir_okay=False,
        help="Model file (default: <home>/models/personal-<catalog>.txt, which personalised "
        "search then uses for that catalog; elsewhere SHOPCHAT_PERSONAL_RANKER=<file>).")] = None,
    cutoff: Annotated[str | None, typer.Option(
        "--cutoff", help="Profiles from purchases before this date (YYYY-MM-DD, UTC); default: "
        "the month holding the 45% quantile of purchase times (online-retail: 2011-07-01).")
    ] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Training queries from purchases before this date; default: the "
        "cut-off `eval personal` tests after (online-retail: 2011-09-01).")] = None,
    users: UsersOpt = 800,
    seed: SeedOpt = 5,
    quiet: QuietOpt = False,
) -> None:
    """Fit the learned personal ranker on a time split that ends where `eval personal` starts."""
    from catalog import load_catalog
    from eval.personal_train import train_personal_ranker, training_config
    from retrieval.profiles.rankers import own_model_path

    settings = get_settings()
    out = out or own_model_path(settings.home, catalog)
    with fail_cleanly():
        loaded = load_catalog(catalog, settings.data_dir)
        cfg = training_config(loaded, _day(cutoff, "--cutoff"), _day(until, "--until"),
                              users, seed)
        trained = train_personal_ranker(loaded, settings, cfg, progress=not quiet)
        trained.ranker.save(out)
    console.print(f"profiles before {trained.cutoff:%Y-%m-%d}, queries until "
                  f"{trained.until:%Y-%m-%d}: {trained.users} users, {trained.queries} queries "
                  f"({trained.positives} bought items), {trained.seconds:.0f} s")
    console.print("feature gain shares: " + ", ".join(
        f"{f} {v:.2f}" for f, v in trained.importance().items()))
    console.print(f"wrote {out}")


@app.command("answers")
def answers(
    catalog: Annotated[str | None, typer.Option(
        "--catalog", "-c", help="Indexed catalog to ask (default: SHOPCHAT_DEFAULT_CATALOG).",
    )] = None,
    judgments: Annotated[Path | None, typer.Option(
        "--judgments", "-j", dir_okay=False,
        help="query,docid,rating CSV whose distinct queries are asked (default: "
        "<data_dir>/<catalog>/judgments.csv).",
    )] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False,
        help="Report folder (default: <home>/eval/<catalog>-answers).")] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", "-n", min=1, help="Ask only the first N queries.")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Audit the answers shoppers get: every judged query through ask() (the configured LLM, a
    fresh user each), counting model-written, refused and unfaithful reasons, words per reason,
    degraded turns and latency (metrics.json, per_query.csv, reasons.csv, report.md)."""
    from assistant import Assistant
    from eval.answers import audit_answers, write_answers_report
    from eval.judgments import load_judgments

    settings = get_settings()
    catalog = catalog or settings.default_catalog
    judgments = judgments or settings.data_dir / catalog / "judgments.csv"
    out = out or settings.home / "eval" / f"{catalog}-answers"
    with fail_cleanly():
        judged = load_judgments(judgments)
        bot = Assistant.open(catalog, settings)
        audit = audit_answers(bot, judged, catalog, limit=limit, progress=not quiet)
        paths = write_answers_report(audit, out)
    m = audit.metrics()
    table = Table(title=f"Answer audit: {catalog}", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    causes = ", ".join(f"{c} {n}" for c, n in m["refused_reasons_by_cause"].items())
    for name, value in [
        ("queries / items", f"{m['queries']} / {m['items']}"),
        ("model-written reasons shown", m["model_written_reasons"]),
        ("refused model reasons", f"{m['refused_reasons']}" + (f" ({causes})" if causes else "")),
        ("unfaithful reasons shown (audit)", m["unfaithful_reasons_shown"]),
        ("mean words per reason", m["mean_words_per_reason"]),
        ("degraded turns", m["degraded_turns"]),
        ("turn p50 / p95 ms", f"{m['turn_ms']['p50']:.0f} / {m['turn_ms']['p95']:.0f}"),
    ]:
        table.add_row(name, str(value))
    console.print(table)
    for path in paths:
        console.print(f"wrote {path}")


@app.command("specs")
def specs(
    catalog: Annotated[str | None, typer.Option(
        "--catalog", "-c", help="Indexed catalog to search (default: SHOPCHAT_DEFAULT_CATALOG).",
    )] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False,
        help="Report folder (default: <home>/eval/<catalog>-specs).")] = None,
    seed: SeedOpt = 0,
    count: Annotated[int, typer.Option(
        "--count", "-n", min=1, help="Spec queries generated from the catalog.")] = 300,
    written: Annotated[Path | None, typer.Option(
        "--written", "-w", dir_okay=False,
        help="Hand-written spec queries (default: eval/data/spec-queries-written.csv).")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Spec precision@10: generated and hand-written spec queries ("27 inch monitor"), with
    specs understood vs without, normalised by what the catalog has (metrics.json,
    per_query.csv)."""
    from eval.spec_queries import WRITTEN, Judge, generate, load_written, with_availability
    from eval.specs import score_set, write_report
    from retrieval import open_searcher

    settings = get_settings()
    catalog = catalog or settings.default_catalog
    out = out or settings.home / "eval" / f"{catalog}-specs"
    written = written or WRITTEN
    with fail_cleanly():
        searcher = open_searcher(catalog, settings)
        products = searcher.table.products
        judge = Judge(products, searcher._types, searcher.spec_vocabulary)
        generated = generate(products, count, seed, searcher._types, searcher.spec_vocabulary)
        hand = [q for q in with_availability(load_written(written), judge) if q.available]
        sets = [score_set(searcher, "generated", generated, judge, progress=not quiet),
                score_set(searcher, "written", hand, judge, progress=not quiet)]
        paths = write_report(sets, out, {"catalog": catalog, "seed": seed, "count": count,
                                         "written": str(written)})
    console.print(specs_table({s.name: s.metrics() for s in sets}))
    for path in paths:
        console.print(f"wrote {path}")


def specs_table(metrics: dict[str, dict[str, Any]]) -> Table:
    table = Table(title="Spec precision@10 (hits / min(10, available))", title_justify="left")
    for col in ("set", "queries", "norm. P@10", "without specs", "P@10", "without specs ",
                "spec parse p50/p95 ms", "parse p50 ms", "search p50 ms"):
        table.add_column(col, justify="left" if col == "set" else "right")
    for name, m in metrics.items():
        table.add_row(
            name, str(m["queries"]), f"{m['normalised_precision@10']:.4f}",
            f"{m['normalised_precision@10_without_specs']:.4f}", f"{m['precision@10']:.4f}",
            f"{m['precision@10_without_specs']:.4f}",
            f"{m['spec_parse_ms']['p50']:.2f} / {m['spec_parse_ms']['p95']:.2f}",
            f"{m['parse_ms']['p50']:.1f}", f"{m['search_ms']['p50']:.1f}")
    return table


app.command("train-ranker")(ranking.train_ranker)
app.command("ablation")(ranking.ablation)
app.command("generated-ranker")(ranking.generated_ranker)
app.command("generated-classes")(ranking.generated_classes)
app.command("translated")(translated.translated)
