"""Fit the learned personal ranker on an earlier time split than the one the eval reports.

Profiles from purchases before ``cutoff``, queries from the purchases between ``cutoff`` and
``until`` (by default the eval's own cut-off, so nothing the eval tests on is seen here), built
exactly as ``shopchat eval personal`` builds them. Each query's hybrid candidates get
``PERSONAL_FEATURES`` from the user's profile; label 1 for the items that user then bought.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from eval.personal_eval import PersonalEvalConfig, TimeSplit, default_cutoff, time_split
from retrieval.embedder import Embedder
from retrieval.profiles.features import PERSONAL_FEATURES, personal_features
from retrieval.ranking.rankers import LambdaMartRanker
from shopchat.errors import ConfigError
from shopchat.records import Catalog
from shopchat.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

log = logging.getLogger(__name__)

TRAIN_CUTOFF_QUANTILE = 0.45
"""Default training cut-off: the month holding this quantile of purchase times (Online Retail:
2011-07-01); the training queries run to the eval's cut-off (0.6: 2011-09-01)."""
PARAMS: dict[str, Any] = {"n_estimators": 300, "num_leaves": 15, "min_child_samples": 50}


@dataclass(frozen=True, slots=True)
class PersonalTraining:
    ranker: LambdaMartRanker
    cutoff: datetime
    until: datetime
    users: int
    queries: int
    positives: int
    seconds: float

    def importance(self) -> dict[str, float]:
        """Share of the model's total split gain per feature."""
        gain = np.asarray(self.ranker.booster.feature_importance("gain"), dtype=np.float64)
        total = float(gain.sum()) or 1.0
        return {f: round(float(g) / total, 4)
                for f, g in zip(self.ranker.features, gain, strict=True)}


def training_config(catalog: Catalog, cutoff: datetime | None, until: datetime | None,
                    users: int, seed: int) -> PersonalEvalConfig:
    until = until or default_cutoff(catalog.interactions)
    cutoff = cutoff or default_cutoff(catalog.interactions, TRAIN_CUTOFF_QUANTILE)
    if cutoff >= until:
        raise ConfigError(f"the training cut-off {cutoff:%Y-%m-%d} must come before "
                          f"--until {until:%Y-%m-%d}")
    return PersonalEvalConfig(cutoff=cutoff, until=until, users=users,
                              queries_per_user=1_000_000, seed=seed)


def collect_features(split: TimeSplit, progress: bool = True
                     ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per query with a profile and at least one bought item among its candidates."""
    personaliser = split.personaliser
    features, labels = [], []
    for case in tqdm(split.cases, desc="personal features", unit="query", disable=not progress):
        profile = personaliser.profile(case.user_id)
        result = split.search(case.query)
        if profile is None:
            continue
        kept = [c for c in result.candidates if c.product.id not in profile.disliked]
        label = np.array([c.product.id in case.relevant for c in kept], dtype=np.int32)
        if not label.any():
            continue
        features.append(personal_features(profile, kept, result.query.text,
                                          personaliser.vectors))
        labels.append(label)
    return features, labels


def train_personal_ranker(catalog: Catalog, settings: Settings, cfg: PersonalEvalConfig, *,
                          embedder: Embedder | None = None, client: ClientAPI | None = None,
                          progress: bool = True) -> PersonalTraining:
    started = time.perf_counter()
    with time_split(catalog, settings, cfg, embedder=embedder, client=client,
                    progress=progress) as split:
        features, labels = collect_features(split, progress)
        users = len(split.users)
    if not features:
        raise ConfigError(f"no training query of {catalog.name!r} has a bought item among its "
                          "candidates: widen the split (--cutoff/--until) or sample more users")
    ranker = LambdaMartRanker.fit(features, labels, columns=PERSONAL_FEATURES, params=PARAMS,
                                  name=f"personal-{catalog.name}", vocabulary=PERSONAL_FEATURES)
    assert cfg.cutoff is not None and cfg.until is not None
    log.info("fit the personal ranker on %d queries of %d users", len(features), users)
    return PersonalTraining(ranker, cfg.cutoff.astimezone(UTC), cfg.until.astimezone(UTC),
                            users, len(features), int(sum(int(lab.sum()) for lab in labels)),
                            round(time.perf_counter() - started, 1))

