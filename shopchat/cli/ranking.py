"""``shopchat eval train-ranker`` and ``shopchat eval ablation``: the learned search ranker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopchat.cli.common import console, fail_cleanly
from shopchat.settings import Settings, get_settings

CatalogOpt = Annotated[str | None, typer.Option(
    "--catalog", "-c", help="Indexed catalog (default: SHOPCHAT_DEFAULT_CATALOG).")]
JudgmentsOpt = Annotated[Path | None, typer.Option(
    "--judgments", "-j", dir_okay=False,
    help="query,docid,rating CSV (default: <data_dir>/<catalog>/judgments.csv).")]
FoldsOpt = Annotated[int, typer.Option("--cv", min=2, help="Cross-validation folds.")]


def eval_inputs(catalog: str | None, judgments: Path | None) -> tuple[Settings, str, Path]:
    """Settings, the catalog (default: the configured one) and its judgments file."""
    settings = get_settings()
    name = catalog or settings.default_catalog
    return settings, name, judgments or settings.data_dir / name / "judgments.csv"


def train_ranker(
    catalog: CatalogOpt = None,
    judgments: JudgmentsOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", dir_okay=False,
        help="Model file (default: <home>/models/ranker-<catalog>.txt, which search then uses "
        "for that catalog; elsewhere use SHOPCHAT_SEARCH_RANKER=<file>).")] = None,
    cv: FoldsOpt = 5,
) -> None:
    """Fit the LambdaMART search ranker on every judged query; print its cross-validated score."""
    from eval.judgments import load_judgments
    from eval.ranker_cv import collect_pools, cross_validate, fit
    from retrieval import open_searcher
    from retrieval.ranking.rankers import own_model_path

    settings, catalog, judgments = eval_inputs(catalog, judgments)
    out = out or own_model_path(settings.home, catalog)
    with fail_cleanly():
        loaded = load_judgments(judgments)
        searcher = open_searcher(catalog, settings.model_copy(update={"search_ranker": "rrf"}))
        pools = collect_pools(searcher, loaded)
        scored = cross_validate(searcher, loaded, pools, n_folds=cv)
        fit(pools).save(out)
    console.print(f"{cv}-fold cross-validated: " + ", ".join(
        f"{m} {v:.4f}" for m, v in scored.metrics.items()))
    console.print(f"wrote {out} (fit on all {len(pools.queries)} queries)")


def ablation(
    catalog: CatalogOpt = None,
    judgments: JudgmentsOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False,
        help="Report folder (default: <home>/eval/<catalog>-ablation).")] = None,
    cv: FoldsOpt = 5,
    seeds: Annotated[int, typer.Option(
        "--seeds", min=1, help="Shuffles of the queries into folds to average over.")] = 1,
) -> None:
    """One row per relevance change: baselines, then each feature group, cross-validated."""
    from eval.ablation_report import run_ablation, write_ablation
    from retrieval import open_searcher

    settings, catalog, judgments = eval_inputs(catalog, judgments)
    out = out or settings.home / "eval" / f"{catalog}-ablation"
    with fail_cleanly():
        searcher = open_searcher(catalog, settings.model_copy(update={"search_ranker": "rrf"}))
        table = run_ablation(searcher, judgments, folds=cv, seeds=seeds)
        paths = write_ablation(table, out)
    shown = Table(title=f"Relevance ablation ({cv}-fold CV after rrf)", title_justify="left")
    for col in ("change", "nDCG@10", "Recall@100", "MRR", "± nDCG@10"):
        shown.add_column(col, justify="left" if col == "change" else "right")
    for change, metrics in table.rows:
        shown.add_row(change, *(f"{metrics[m]:.4f}" for m in ("ndcg@10", "recall@100", "mrr")),
                      f"{table.spread.get(change, 0.0):.4f}")
    console.print(shown)
    for path in paths:
        console.print(f"wrote {path}")


def generated_ranker(
    catalog: CatalogOpt = None,
    judgments: JudgmentsOpt = None,
    queries: Annotated[int, typer.Option(
        "--queries", "-n", min=10, help="Queries to generate from the catalog.")] = 3000,
    seed: Annotated[int, typer.Option("--seed", help="The generator's seed.")] = 17,
    cv: FoldsOpt = 5,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", dir_okay=False,
        help="Also save the model fit on the generated queries alone to this file.")] = None,
) -> None:
    """Fit the search ranker on queries generated from the catalog (labelled by rules over its
    fields, no judged query), score it on every judged query: an unseen-query figure. Also
    scores generated + judged queries under cross-validation."""
    from collections import Counter

    from eval.generated_training import (
        generated_pools,
        generated_queries,
        generated_with_judged_cv,
        score_judged,
    )
    from eval.judgments import load_judgments
    from eval.ranker_cv import collect_pools, fit
    from retrieval import open_searcher

    settings, catalog, judgments = eval_inputs(catalog, judgments)
    with fail_cleanly():
        loaded = load_judgments(judgments)
        searcher = open_searcher(catalog, settings.model_copy(update={"search_ranker": "rrf"}))
        generator, written = generated_queries(searcher, queries, seed)
        pools = generated_pools(searcher, generator, written)
        model = fit(pools)
        alone = score_judged(searcher, loaded, lambda _query: model)
        both = generated_with_judged_cv(searcher, loaded, pools, collect_pools(searcher, loaded),
                                        n_folds=cv)
        if out is not None:
            model.save(out)
    classes = Counter(str(q.query_class) for q in written)
    console.print(f"{len(written)} generated queries (seed {seed}; {len(pools.queries)} with a "
                  "labelled item in their pool): " + ", ".join(
                      f"{name} {n}" for name, n in classes.most_common()))
    table = Table(title=f"Scored on the {len(loaded.queries)} judged queries",
                  title_justify="left")
    for col in ("trained on", "nDCG@10", "answerable", "Recall@100", "answerable "):
        table.add_column(col, justify="left" if col == "trained on" else "right")
    for name, score in (("generated queries only (no judged query seen)", alone),
                        (f"generated + judged ({cv}-fold CV)", both)):
        table.add_row(name, f"{score.ndcg_all:.4f}", f"{score.ndcg_answerable:.4f}",
                      f"{score.recall_all:.4f}", f"{score.recall_answerable:.4f}")
    console.print(table)
    if out is not None:
        console.print(f"wrote {out}")


def generated_classes(
    catalog: CatalogOpt = None,
    queries: Annotated[int, typer.Option(
        "--queries", "-n", min=10, help="Queries to generate from the catalog.")] = 700,
    seed: Annotated[int, typer.Option(
        "--seed", help="The generator's seed (not the training one, 17).")] = 2026,
) -> None:
    """nDCG@10 per query class on queries generated from the catalog (rule labels): bm25, rank
    fusion and the default search, each against bm25."""
    from eval.generated_classes import SYSTEMS, class_scores
    from retrieval import open_searcher

    settings = get_settings()
    with fail_cleanly():
        scores = class_scores(open_searcher(catalog or settings.default_catalog, settings),
                              queries, seed)
    table = Table(title=f"nDCG@10 by class, generated queries (seed {seed}, rule labels)",
                  title_justify="left")
    for col in ("class", "queries", *SYSTEMS, "default - bm25"):
        table.add_column(col, justify="left" if col == "class" else "right")
    for name, row in scores.items():
        table.add_row(name, str(row["queries"]), *(f"{row[s]:.3f}" for s in SYSTEMS),
                      f"{row['default'] - row['bm25']:+.3f}")
    console.print(table)
