"""``shopchat eval translated``: translated queries against the originals' judgments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopchat.cli.common import console, fail_cleanly
from shopchat.cli.ranking import CatalogOpt, JudgmentsOpt, eval_inputs


def translated(
    catalog: CatalogOpt = None,
    judgments: JudgmentsOpt = None,
    pairs: Annotated[Path | None, typer.Option(
        "--pairs", "-p", dir_okay=False,
        help="query_<lang>,query_en[,split] CSV (default: the shipped Chinese Icecat "
             "queries).")] = None,
    split: Annotated[str | None, typer.Option(
        "--split",
        help="Score only this split's rows, e.g. dev or heldout (default: all rows).")] = None,
    systems: Annotated[str, typer.Option("--systems", "-s")] = "bm25,dense,default",
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False,
        help="Report folder (default: <home>/eval/<catalog>-translated).")] = None,
) -> None:
    """Score translated queries (Chinese by default) beside the English ones they translate."""
    from eval.assistant_systems import register_default_system
    from eval.translated import CHINESE_PAIRS, evaluate_translated, read_pairs
    from retrieval import open_searcher

    settings, catalog, judgments = eval_inputs(catalog, judgments)
    out = out or settings.home / "eval" / f"{catalog}-translated"
    pairs = pairs or CHINESE_PAIRS
    with fail_cleanly():
        read_pairs(pairs, split)  # a bad file or split fails before the index opens
        searcher = open_searcher(catalog, settings)
        register_default_system(settings, searcher)
        result = evaluate_translated(searcher, judgments, pairs,
                                     systems.split(","), out, split=split)
    rows = f"split {split}" if split is not None else "all rows"
    lang = result.language
    for answerable in (False, True):
        count = len(result.answerable) if answerable else len(result.pairs)
        scope = "answerable queries (a relevant label)" if answerable else "queries"
        table = Table(title=f"{count} {scope} ({rows}), English vs {lang} "
                      f"(embedding model: {settings.embed_model})", title_justify="left")
        for col in ("system", "nDCG@10 en", f"nDCG@10 {lang}", f"{lang}/en", "Recall@100 en",
                    f"Recall@100 {lang}", f"{lang}/en "):
            table.add_column(col, justify="left" if col == "system" else "right")
        for name in result.original.systems:
            cells = []
            for metric in ("ndcg@10", "recall@100"):
                en, tr = (result.mean(name, metric, side, answerable) for side in ("en", lang))
                cells += [f"{en:.4f}", f"{tr:.4f}", f"{tr / en:.2f}" if en else "-"]
            table.add_row(name, *cells)
        console.print(table)
    table = Table(title=f"condensed nDCG@10 ({len(result.answerable)} answerable queries: "
                  "unjudged items removed) and the judged share of the top 10",
                  title_justify="left")
    for col in ("system", "condensed en", f"condensed {lang}", f"{lang}/en", "judged@10 en",
                f"judged@10 {lang}"):
        table.add_column(col, justify="left" if col == "system" else "right")
    for name in result.original.systems:
        (en, en_judged), (tr, tr_judged) = (result.condensed(name, side) for side in ("en", lang))
        table.add_row(name, f"{en:.4f}", f"{tr:.4f}", f"{tr / en:.2f}" if en else "-",
                      f"{en_judged:.2f}", f"{tr_judged:.2f}")
    console.print(table)
    console.print(f"judgment files written to {out}")
