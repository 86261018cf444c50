"""The time-split personalisation eval on a slice of Online Retail: files, keys, privacy."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from catalog import load_catalog
from eval.personal_eval import PersonalEvalConfig, QueryCase, evaluate_personal, headroom
from eval.personal_queries import QueryBuilder
from eval.personal_report import write_personal_report
from eval.personal_train import train_personal_ranker, training_config
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.profiles import Personaliser, ProfileStore
from retrieval.profiles.rankers import PERSONAL_RANKERS, own_model_path
from retrieval.ranking.rankers import LambdaMartRanker
from retrieval.store import open_client
from shopchat.errors import ConfigError
from shopchat.records import Catalog
from tests.conftest import make_settings, renamed

KEYS = {"personalised", "non_personalised", "recommend", "queries", "users"}
SEARCH_KEYS = {"ndcg@10", "mrr", "recall@10"}


@pytest.fixture(scope="module")
def retail_slice(data_dir: Path) -> Catalog:
    """About 700 products: everything 12 active customers bought, and their purchases."""
    full = load_catalog("online-retail", data_dir)
    per_user = Counter(i.user_id for i in full.interactions)
    users = {u for u, n in per_user.items() if 80 <= n <= 120}
    users = set(sorted(users)[:12])
    mine = [i for i in full.interactions if i.user_id in users]
    items = {i.item_id for i in mine}
    products = [p for p in full.products if p.id in items]
    return renamed(Catalog("online-retail", products, mine, full.report), "retail-slice")


def test_query_builder_keeps_the_product_type_head() -> None:
    builder = QueryBuilder(["WHITE HANGING HEART T-LIGHT HOLDER", "GLASS T-LIGHT HOLDER",
                            "ZINC T-LIGHT HOLDER", "RED RETROSPOT CAKE STAND"])
    assert builder.query("WHITE HANGING HEART T-LIGHT HOLDER") == "t-light holder"
    assert builder.query("RED RETROSPOT CAKE STAND") == "cake stand"
    assert builder.query("PINK 12 SMALL") == ""


def test_small_eval_run_writes_the_promised_files(
    retail_slice: Catalog, embedder: SentenceTransformerEmbedder, tmp_path: Path,
    data_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    answering = threading.local()
    reads: list[tuple[str, str]] = []
    personalise, recommend, read = (Personaliser.personalise, Personaliser.recommend,
                                    ProfileStore.read)

    def spy_personalise(self, user_id, *args, **kwargs):  # type: ignore[no-untyped-def]
        answering.user = user_id
        return personalise(self, user_id, *args, **kwargs)

    def spy_recommend(self, user_id, *args, **kwargs):  # type: ignore[no-untyped-def]
        answering.user = user_id
        return recommend(self, user_id, *args, **kwargs)

    def spy_read(self, user_id):  # type: ignore[no-untyped-def]
        reads.append((getattr(answering, "user", "?"), user_id))
        return read(self, user_id)

    monkeypatch.setattr(Personaliser, "personalise", spy_personalise)
    monkeypatch.setattr(Personaliser, "recommend", spy_recommend)
    monkeypatch.setattr(ProfileStore, "read", spy_read)

    settings = make_settings(tmp_path / "home", data_dir)
    cfg = PersonalEvalConfig(users=8, queries_per_user=3,
                             cutoff=datetime(2011, 9, 1, tzinfo=UTC))
    result = evaluate_personal(retail_slice, settings, cfg, embedder=embedder, progress=False)
    paths = write_personal_report(result, tmp_path / "out")

    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert set(metrics) == KEYS
    assert set(metrics["personalised"]) == set(metrics["non_personalised"]) == SEARCH_KEYS
    assert set(metrics["recommend"]) == {"recall@20", "popularity_recall@20"}
    assert metrics["users"] == 8 and 8 <= metrics["queries"] <= 24
    assert all(0 <= v <= 1 for s in SEARCH_KEYS for v in
               (metrics["personalised"][s], metrics["non_personalised"][s]))
    per_user = pd.read_csv(tmp_path / "out" / "per_user.csv")
    assert len(per_user) == 8 and {"mrr_personalised", "recall@20_recommend"} <= set(per_user)
    report = (tmp_path / "out" / "report.md").read_text()
    assert "(personal ranker: linear)" in report and "## Headroom" in report and set(json.loads(
        (tmp_path / "out" / "details.json").read_text())["headroom"]) >= {"repeat_oracle_ratio"}
    assert "![metrics](metrics.png)" in report and (tmp_path / "out" / "metrics.png").stat().st_size
    assert {p.name for p in paths} >= {"metrics.json", "per_user.csv", "report.md", "metrics.png"}

    assert reads and all(user == read_for for user, read_for in reads), reads[:5]
    names = [c.name for c in open_client(settings).list_collections()]
    assert not [n for n in names if n.startswith("users-")]  # the eval's profiles are gone


def test_headroom_puts_rebought_items_first_and_says_what_the_rest_must_add() -> None:
    cases = [QueryCase(f"q{i}", "u", f"query {i}", frozenset({f"i{i}"}), repeat=i < 2)
             for i in range(4)]
    base = {"q0": 0.5, "q1": 1.0, "q2": 0.5, "q3": 0.25}  # mean 0.5625
    room = headroom(cases, base, target=1.2)
    assert room["repeat_share"] == 0.5
    assert room["repeat_oracle_mrr"] == pytest.approx((1 + 1 + 0.5 + 0.25) / 4, abs=1e-4)
    assert room["repeat_oracle_ratio"] == pytest.approx(0.6875 / 0.5625, abs=1e-4)
    # 1.2 x 0.5625 x 4 = 2.7 in all; the repeats give 2, so the two new ones need 0.35 each
    assert room["new_mrr_needed"] == pytest.approx(0.35, abs=1e-4)
    assert room["new_mrr_non_personalised"] == pytest.approx(0.375, abs=1e-4)
    assert headroom([], {}) == {}


def test_train_personal_fits_on_the_split_before_the_eval(
    retail_slice: Catalog, embedder: SentenceTransformerEmbedder, tmp_path: Path, data_dir: Path,
) -> None:
    july, september = datetime(2011, 7, 1, tzinfo=UTC), datetime(2011, 9, 1, tzinfo=UTC)
    with pytest.raises(ConfigError, match="must come before"):
        training_config(retail_slice, september, july, 12, 5)
    cfg = training_config(retail_slice, july, None, users=12, seed=5)
    assert cfg.until == september  # the eval's default cut-off: training never sees its test
    settings = make_settings(tmp_path / "home", data_dir)
    trained = train_personal_ranker(retail_slice, settings, cfg, embedder=embedder,
                                    progress=False)
    assert trained.queries > 10 and trained.positives >= trained.queries
    assert abs(sum(trained.importance().values()) - 1) < 1e-3
    path = own_model_path(settings.home, retail_slice.name)
    trained.ranker.save(path)
    loaded = PERSONAL_RANKERS.pick(retail_slice.name, "auto", settings.home)
    assert isinstance(loaded, LambdaMartRanker) and loaded.features == trained.ranker.features
    result = evaluate_personal(retail_slice, settings, PersonalEvalConfig(users=4),
                               embedder=embedder, progress=False)
    assert result.details["personal_ranker"] == f"personal-{retail_slice.name}"
