"""Which personal ranker a profile set uses: a learned model, or the linear blend."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from retrieval.profiles.features import PERSONAL_FEATURES
from retrieval.ranking.rankers import AUTO, LambdaMartRanker, Ranker
from shopchat.errors import ConfigError

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


def personal_ranker_for(catalog: str, spec: str, home: Path) -> Ranker | None:
    """None means the linear blend. ``auto``: the catalog's own model if there is one, else the
    shipped model for the catalog it was fit on, else the linear blend (shopping habits learned
    on one store's purchases are not assumed to hold in another). ``learned``: the shipped
    model. Anything else: a model file's path."""
    if spec == LINEAR:
        return None
    if spec == LEARNED:
        return load_personal_ranker(shipped_model_path(), LEARNED)
    if spec == AUTO:
        own = own_model_path(home, catalog)
        if own.is_file():
            return load_personal_ranker(own)
        if catalog != SHIPPED_FOR:
            return None
        return load_personal_ranker(shipped_model_path(), LEARNED)
    path = Path(spec).expanduser()
    if not path.is_file():
        raise ConfigError(f"unknown personal ranker {spec!r}: use {AUTO}, {LINEAR}, {LEARNED} or "
                          "a path to a model file")
    return load_personal_ranker(path)
