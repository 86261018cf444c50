"""Which personal ranker a profile set uses: a learned model, or the linear blend (None)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from retrieval.profiles.features import PERSONAL_FEATURES
from retrieval.ranking.rankers import LambdaMartRanker, Ranker, RankerChoices

LINEAR = "linear"
LEARNED = "learned"
SHIPPED_MODEL = "personal-online-retail.txt"
SHIPPED_FOR = "online-retail"  # the catalog whose purchases the shipped model was fit on


def shipped_model_path() -> Path:
    return Path(str(resources.files("retrieval.profiles") / "models" / SHIPPED_MODEL))


def own_model_path(home: Path, catalog: str) -> Path:
    """Where ``shopchat eval train-personal`` puts a catalog's model by default."""
    return home / "models" / f"personal-{catalog}.txt"


def load_personal_ranker(path: Path, name: str | None = None) -> LambdaMartRanker:
    return LambdaMartRanker.load(path, name, vocabulary=PERSONAL_FEATURES)


PERSONAL_RANKERS: RankerChoices[Ranker | None] = RankerChoices(
    what="personal ranker",
    named={
        LINEAR: lambda: None,
        LEARNED: lambda: load_personal_ranker(shipped_model_path(), LEARNED),
    },
    shipped=LEARNED,
    shipped_for=SHIPPED_FOR,
    fallback=LINEAR,
    own_model=own_model_path,
    load_file=load_personal_ranker,
)
"""How a profile set picks its personal ranker (``SHOPCHAT_PERSONAL_RANKER``); None is the
linear blend (shopping habits learned on one store's purchases are not assumed to hold in
another, so ``auto`` uses the shipped model for ``online-retail`` only)."""
