"""Cross-validated learning-to-rank on the real dummyjson index (embedded and server Chroma)."""

from __future__ import annotations

from pathlib import Path

import pytest

import eval.ranker_cv as ranker_cv
from eval.assistant_systems import register_default_system
from eval.judgments import Judgments, load_judgments
from eval.ranker_cv import collect_pools, cross_validate, fit, query_folds
from eval.search_eval import evaluate_search
from retrieval.ranking import FEATURES, LambdaMartRanker, load_ranker
from retrieval.searcher import Searcher
from shopchat.errors import ConfigError
from shopchat.records import Catalog
from shopchat.settings import Settings

# Free-text queries (no category names, so no parsed filters) -> the category that answers them.
INTENTS = {
    "perfume for women": "fragrances",
    "frying pan": "kitchen-accessories",
    "fresh fruit": "groceries",
    "cricket bat": "sports-accessories",
    "leather handbag": "womens-bags",
    "gold necklace": "womens-jewellery",
    "wrist watch for men": "mens-watches",
    "face cream": "skin-care",
    "sofa bed": "furniture",
    "motorbike helmet": "motorcycle",
}


@pytest.fixture(scope="module")
def judgments_path(dummy_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each query's category rated 3, a few products of other categories rated 0."""
    lines = ["query,docid,rating"]
    for query, category in INTENTS.items():
        for p in dummy_catalog.products:
            if p.category == category:
                lines.append(f"{query},{p.id},3")
        others = [p for p in dummy_catalog.products if p.category != category][:5]
        lines += [f"{query},{p.id},0" for p in others]
    path = tmp_path_factory.mktemp("judged") / "judgments.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def judgments(judgments_path: Path) -> Judgments:
    return load_judgments(judgments_path)


def test_folds_partition_the_queries_reproducibly() -> None:
    queries = [f"q{i}" for i in range(23)]
    folds = query_folds(queries, 5)
    assert sorted(q for fold in folds for q in fold) == sorted(queries)
    assert sorted(len(f) for f in folds) == [4, 4, 5, 5, 5]
    assert folds == query_folds(queries, 5)
    assert folds != query_folds(queries, 5, seed=1)
    with pytest.raises(ConfigError, match="folds"):
        query_folds(queries[:3], 5)


def test_pools_label_judged_items_and_zero_the_rest(
    dummy_searcher: Searcher, judgments: Judgments
) -> None:
    pools = collect_pools(dummy_searcher, judgments, progress=False)
    assert pools.queries == judgments.queries
    for features, labels in zip(pools.features, pools.labels, strict=True):
        assert features.shape == (len(labels), len(FEATURES))
        assert set(labels.tolist()) <= {0, 3}
    assert sum(int((lab == 3).sum()) for lab in pools.labels) > 0


def test_cross_validation_never_trains_on_a_held_out_query(
    dummy_searcher: Searcher, judgments: Judgments, monkeypatch: pytest.MonkeyPatch
) -> None:
    pools = collect_pools(dummy_searcher, judgments, progress=False)
    trained_on: list[set[str]] = []

    def spy(pools_: ranker_cv.TrainingPools, queries: list[str] | None = None,
            **kwargs: object) -> LambdaMartRanker:
        trained_on.append(set(queries or []))
        return fit(pools_, queries, params={"n_estimators": 20, "min_child_samples": 5})

    monkeypatch.setattr(ranker_cv, "fit", spy)
    saved = dummy_searcher.ranker
    result = cross_validate(dummy_searcher, judgments, pools, n_folds=5)
    assert dummy_searcher.ranker is saved  # folds rank on derived searchers, never on this one
    assert len(trained_on) == 5
    for train, held in zip(trained_on, result.folds, strict=True):
        assert not train & set(held) and len(train) + len(held) == len(judgments.queries)
    assert set(result.ranked) == set(judgments.queries)
    assert 0.0 <= result.metrics["ndcg@10"] <= 1.0


def test_eval_search_cross_validates_learned_systems_only(
    dummy_searcher: Searcher, judgments_path: Path, tmp_path: Path
) -> None:
    learned = dummy_searcher.with_ranker(load_ranker("lambdamart"))  # a learned ranker to refit
    register_default_system(Settings(home=tmp_path, personalise=False), learned)
    result = evaluate_search(learned, judgments_path, ["rrf", "hybrid", "default"], cv=5,
                             progress=False)
    shipped = evaluate_search(learned, judgments_path, ["hybrid"], progress=False)
    assert result.systems["rrf"].cross_validated == 0
    assert result.systems["hybrid"].cross_validated == 5
    assert result.systems["default"].cross_validated == 5
    # default is ask() with no LLM: for plain queries, the same ranked search as hybrid
    for query in INTENTS:
        assert result.systems["default"].ranked[query][:10] == \
            result.systems["hybrid"].ranked[query][:10]
    assert shipped.systems["hybrid"].cross_validated == 0


def test_a_learned_ranker_beats_chance_on_held_out_queries(
    dummy_searcher: Searcher, judgments: Judgments
) -> None:
    pools = collect_pools(dummy_searcher, judgments, progress=False)
    learned = cross_validate(dummy_searcher, judgments, pools, n_folds=5,
                             params={"n_estimators": 50, "min_child_samples": 5})
    assert learned.metrics["ndcg@10"] > 0.3  # chance in a 194-item catalog is far lower


def test_train_ranker_and_ablation_commands(
    cli_env: Path, judgments_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from shopchat.cli.main import app
    from shopchat.settings import get_settings

    runner = CliRunner()
    done = runner.invoke(app, ["index", "--catalog", "dummyjson"])
    assert done.exit_code == 0, done.output
    model = cli_env / "ranker.txt"
    trained = runner.invoke(app, ["eval", "train-ranker", "--catalog", "dummyjson",
                                  "--judgments", str(judgments_path), "--out", str(model)])
    assert trained.exit_code == 0, trained.output
    assert "5-fold cross-validated: ndcg@10" in trained.output and model.is_file()

    monkeypatch.setenv("SHOPCHAT_SEARCH_RANKER", str(model))
    get_settings.cache_clear()
    scored = runner.invoke(app, ["eval", "search", "--catalog", "dummyjson", "--judgments",
                                 str(judgments_path), "--systems", "rrf,default", "--cv", "5",
                                 "--out", str(cli_env / "eval")])
    assert scored.exit_code == 0, scored.output
    assert "default (5-fold CV)" in scored.output
    assert "default (5-fold CV)" in (cli_env / "eval" / "report.md").read_text()

    out = cli_env / "ablation"
    ablated = runner.invoke(app, ["eval", "ablation", "--catalog", "dummyjson", "--judgments",
                                  str(judgments_path), "--out", str(out)])
    assert ablated.exit_code == 0, ablated.output
    report = (out / "ablation.md").read_text()
    for change in ("| bm25 |", "| rrf |", "+ retriever scores", "+ intent"):
        assert change in report
    assert (out / "ablation.png").stat().st_size > 0

    monkeypatch.setenv("SHOPCHAT_SEARCH_RANKER", str(cli_env / "missing.txt"))
    get_settings.cache_clear()
    broken = runner.invoke(app, ["search", "--catalog", "dummyjson", "lipstick"])
    assert broken.exit_code == 1 and "missing.txt" in broken.output
