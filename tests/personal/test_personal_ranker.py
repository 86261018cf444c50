"""The learned personal ranker: its features, how it reorders, and which one a catalog gets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.profiles import Personaliser
from retrieval.profiles.features import (
    PERSONAL_FEATURES,
    personal_features,
    title_affinity,
    title_words,
)
from retrieval.profiles.rankers import (
    LEARNED,
    PERSONAL_RANKERS,
    own_model_path,
    shipped_model_path,
)
from retrieval.ranking.rankers import LambdaMartRanker
from shopchat.errors import ConfigError

COL = {f: i for i, f in enumerate(PERSONAL_FEATURES)}
QUERY = "lipstick"


def test_features_say_what_the_profile_knows(personaliser: Personaliser) -> None:
    result = personaliser.searcher.search(QUERY, k=20)
    bought = result.candidates[5].product.id
    profile = personaliser.record("ann", bought, "purchase")
    rows = personal_features(profile, result.candidates, result.query.text, personaliser.vectors)
    assert rows.shape == (20, len(PERSONAL_FEATURES))
    assert np.allclose(rows[:, COL["inverse_rank"]], 1 / np.arange(1, 21))
    assert rows[:, COL["base"]].max() == pytest.approx(1.0)
    own = rows[:, COL["own"]]
    assert own[5] > 0 and np.count_nonzero(own) == 1
    assert abs(rows[:, COL["cosine"]].mean()) < 1e-6
    assert rows[5, COL["cosine"]] == rows[:, COL["cosine"]].max()
    # the bought item shares every title word with the history, but the query's don't count
    assert rows[5, COL["title_affinity"]] == pytest.approx(1.0)
    # its nearest bought item is itself; the price band is its own price
    assert rows[5, COL["nearest"]] == pytest.approx(1.0, abs=1e-5)
    assert rows[5, COL["nearest"]] == rows[:, COL["nearest"]].max()
    assert rows[5, COL["price_ratio"]] == pytest.approx(0.0, abs=1e-6)
    price = float(result.candidates[5].product.price or 0)
    for i, candidate in enumerate(result.candidates):
        other = float(candidate.product.price or 0)
        assert rows[i, COL["price_ratio"]] == pytest.approx(np.log(other / price), abs=1e-3)
        assert rows[i, COL["price_distance"]] == pytest.approx(abs(rows[i, COL["price_ratio"]]))


def test_title_affinity_ignores_the_query_words(personaliser: Personaliser) -> None:
    first, second = personaliser.vectors.table.products[:2]
    personaliser.record("bo", first.id, "purchase")
    profile = personaliser.record("bo", second.id, "purchase")
    vectors = personaliser.vectors
    assert title_affinity(profile, [first.title], first.title, vectors)[0] == 0
    shared = title_words(first.title) & title_words(second.title)
    assert title_affinity(profile, [first.title], "", vectors)[0] == (1 if shared else 0.5)
    only_first = sorted(title_words(first.title) - title_words(second.title))
    assert only_first, (first.title, second.title)
    assert title_affinity(profile, [f"zzqx {only_first[0]}"], "", vectors)[0] == 0.5
    assert title_affinity(profile, ["zzqx"], "", vectors)[0] == 0


def _owner_first_model() -> LambdaMartRanker:
    """A real LightGBM model fit on rows where only the user's own items are relevant."""
    rng = np.random.default_rng(3)
    features, labels = [], []
    for _ in range(60):
        rows = rng.random((30, len(PERSONAL_FEATURES)))
        rows[:, COL["own"]] = 0.0
        mine = rng.choice(30, 2, replace=False)
        rows[mine, COL["own"]] = 0.7
        label = np.zeros(30, dtype=np.int32)
        label[mine] = 1
        features.append(rows)
        labels.append(label)
    return LambdaMartRanker.fit(features, labels, columns=PERSONAL_FEATURES,
                                vocabulary=PERSONAL_FEATURES, name="owner-first",
                                params={"min_child_samples": 5})


def test_a_learned_ranker_reorders_and_reports_what_the_profile_added(
    personaliser: Personaliser,
) -> None:
    plain = personaliser.searcher.search(QUERY, k=100)
    bought = plain.candidates[7].product.id
    personaliser.record("cy", bought, "purchase")
    personaliser.ranker = _owner_first_model()
    mine = personaliser.search("cy", QUERY, k=10)
    assert mine.ids[0] == bought
    first = mine.candidates[0]
    assert first.personal_score is not None
    assert first.personal_score > max(c.personal_score or 0.0 for c in mine.candidates[1:])
    assert set(mine.ids) <= set(plain.ids)  # only what the query retrieved is reordered
    # a user with no history still gets the plain answer
    assert personaliser.search("nobody", QUERY, k=10).ids == plain.ids[:10]


def test_which_personal_ranker_a_catalog_gets(tmp_path: Path) -> None:
    assert PERSONAL_RANKERS.pick("online-retail", "linear", tmp_path) is None
    assert PERSONAL_RANKERS.pick("dummyjson", "auto", tmp_path) is None
    shipped = PERSONAL_RANKERS.pick("online-retail", "auto", tmp_path)
    assert isinstance(shipped, LambdaMartRanker) and shipped.name == LEARNED
    assert set(shipped.features) <= set(PERSONAL_FEATURES)
    learned = PERSONAL_RANKERS.pick("dummyjson", LEARNED, tmp_path)
    assert isinstance(learned, LambdaMartRanker)

    _owner_first_model().save(own_model_path(tmp_path, "dummyjson"))
    own = PERSONAL_RANKERS.pick("dummyjson", "auto", tmp_path)
    assert isinstance(own, LambdaMartRanker) and own.name == "personal-dummyjson"

    with pytest.raises(ConfigError, match=r"nowhere\.txt"):
        PERSONAL_RANKERS.pick("dummyjson", str(tmp_path / "nowhere.txt"), tmp_path)
    search_model = tmp_path / "search.txt"
    search_model.write_text(shipped_model_path().parent.parent.parent.joinpath(
        "ranking", "models", "lambdamart-icecat.txt").read_text())
    with pytest.raises(ConfigError, match="does not compute"):
        PERSONAL_RANKERS.pick("dummyjson", str(search_model), tmp_path)
