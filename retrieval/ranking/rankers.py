"""Second-stage rankers: score candidate feature rows; higher is better.

``rrf`` is plain reciprocal-rank fusion of the lexical and dense lists (the previous default);
``lambdamart`` is a LightGBM LambdaMART model over ``FEATURES``, shipped in the package and
retrainable with ``shopchat eval train-ranker``; a path to a saved model also works.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import numpy as np

from retrieval.ranking.features import FEATURES
from shopchat.errors import ConfigError

if TYPE_CHECKING:
    import lightgbm

log = logging.getLogger(__name__)

SHIPPED_MODEL = "lambdamart-icecat.txt"
SHIPPED_FOR = "icecat"  # the catalog whose judgments the shipped model was fit on
AUTO = "auto"
LABEL_GAIN = (0, 1, 3, 7)  # 2**rating - 1 for ratings 0..3
DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "n_estimators": 200,
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_child_samples": 20,
    # no row or column sampling: the model does not depend on the order of its columns
    "lambdarank_truncation_level": 100,
    "random_state": 7,
    "n_jobs": 1,
    "verbose": -1,
}


class Ranker(Protocol):
    name: str

    def score(self, features: np.ndarray) -> np.ndarray:
        """One score per row of ``features`` (columns as in ``FEATURES``)."""
        ...


class FusionRanker:
    """Reciprocal-rank fusion of the lexical and dense ranks (no learning)."""

    name = "rrf"
    _column = FEATURES.index("rrf")

    def score(self, features: np.ndarray) -> np.ndarray:
        return features[:, self._column]


class LambdaMartRanker:
    """A LightGBM ranking model over a subset of ``FEATURES`` (named in the model itself)."""

    def __init__(self, booster: lightgbm.Booster, name: str = "lambdamart",
                 vocabulary: Sequence[str] = FEATURES) -> None:
        """``vocabulary``: the columns of the feature rows ``score`` gets (the model may use a
        subset, named in the model itself)."""
        self.booster = booster
        self.name = name
        used = list(booster.feature_name())
        unknown = [f for f in used if f not in vocabulary]
        if unknown:
            raise ConfigError(
                f"ranking model {name!r} uses features this shopchat does not compute: {unknown}"
            )
        self.features = tuple(used)
        self._columns = np.array([list(vocabulary).index(f) for f in used])

    @classmethod
    def fit(
        cls,
        features: Sequence[np.ndarray],
        labels: Sequence[np.ndarray],
        *,
        columns: Sequence[str] = FEATURES,
        params: dict[str, Any] | None = None,
        name: str = "lambdamart",
        vocabulary: Sequence[str] = FEATURES,
    ) -> LambdaMartRanker:
        """Train on per-query feature matrices (columns: ``vocabulary``) and graded labels
        (0..3), using the ``columns`` named."""
        import lightgbm

        picked = [list(vocabulary).index(c) for c in columns]
        x = np.vstack([f[:, picked] for f in features])
        y = np.concatenate(labels)
        model = lightgbm.LGBMRanker(**{**DEFAULT_PARAMS, **(params or {})},
                                    label_gain=list(LABEL_GAIN))
        model.fit(x, y, group=[len(lab) for lab in labels], feature_name=list(columns))
        return cls(model.booster_, name, vocabulary)

    @classmethod
    def load(cls, path: Path, name: str | None = None,
             vocabulary: Sequence[str] = FEATURES) -> LambdaMartRanker:
        import lightgbm

        try:
            booster = lightgbm.Booster(model_str=path.read_text(encoding="utf-8"))
        except (OSError, lightgbm.basic.LightGBMError) as exc:
            raise ConfigError(f"cannot load the ranking model {path}: {exc}") from exc
        return cls(booster, name or path.stem, vocabulary)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.booster.model_to_string(), encoding="utf-8")

    def score(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0, dtype=np.float64)
        return np.asarray(self.booster.predict(features[:, self._columns], num_threads=1))


def shipped_model_path() -> Path:
    return Path(str(resources.files("retrieval.ranking") / "models" / SHIPPED_MODEL))


RANKERS: dict[str, Callable[[], Ranker]] = {
    "rrf": FusionRanker,
    "lambdamart": lambda: LambdaMartRanker.load(shipped_model_path(), "lambdamart"),
}
"""Built-in rankers by name; ``load_ranker`` also takes a path to a saved LightGBM model."""


def own_model_path(home: Path, catalog: str) -> Path:
    """Where ``shopchat eval train-ranker`` puts a catalog's model by default."""
    return home / "models" / f"ranker-{catalog}.txt"


R = TypeVar("R", bound="Ranker | None")


@dataclass(frozen=True, slots=True)
class RankerChoices(Generic[R]):
    """What a ranker setting (``SHOPCHAT_SEARCH_RANKER``, ``SHOPCHAT_PERSONAL_RANKER``) may name:
    ``auto``, a built-in ranker, or a saved model file; ``pick`` turns it into a ranker."""

    what: str
    """What is picked, as error messages name it ("ranker", "personal ranker")."""
    named: Mapping[str, Callable[[], R]]
    """Built-in rankers by name."""
    shipped: str
    """The built-in name of the model shipped in the package."""
    shipped_for: str
    """The catalog the shipped model was fit on: ``auto`` uses it for that catalog only."""
    fallback: str
    """The built-in ``auto`` uses for a catalog with no model of its own."""
    own_model: Callable[[Path, str], Path]
    """(home, catalog) -> where training puts the catalog's own model."""
    load_file: Callable[[Path], R]

    def pick(self, catalog: str, spec: str | Path, home: Path) -> R:
        """``auto``: the catalog's own trained model if there is one, else the shipped model for
        the catalog it was fit on, else the fallback (a model learned on one catalog's data is
        not assumed to fit another's). Anything else: ``load(spec)``."""
        if str(spec) != AUTO:
            return self.load(spec)
        own = self.own_model(home, catalog)
        if own.is_file():
            return self.load_file(own)
        return self.load(self.shipped if catalog == self.shipped_for else self.fallback)

    def load(self, spec: str | Path) -> R:
        """A built-in ranker by name, or a model file."""
        name = str(spec)
        if name in self.named:
            return self.named[name]()
        path = Path(name).expanduser()
        if not path.is_file():
            raise ConfigError(f"unknown {self.what} {name!r}: use {AUTO}, "
                              f"{', '.join(sorted(self.named))} or a path to a model file")
        return self.load_file(path)


SEARCH_RANKERS: RankerChoices[Ranker] = RankerChoices(
    what="ranker",
    named=RANKERS,
    shipped="lambdamart",
    shipped_for=SHIPPED_FOR,
    fallback="rrf",
    own_model=own_model_path,
    load_file=LambdaMartRanker.load,
)
"""How hybrid search picks its ranker (``SHOPCHAT_SEARCH_RANKER``)."""


def load_ranker(spec: str | Path) -> Ranker:
    """A ranker by name (``RANKERS``) or from a LightGBM model file."""
    return SEARCH_RANKERS.load(spec)
