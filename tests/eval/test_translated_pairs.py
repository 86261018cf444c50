"""Pairs files of translated queries (``eval.translated.read_pairs``), their splits, the
shipped Chinese Icecat file, and ``shopchat eval translated --split``."""

from __future__ import annotations

import csv
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

import eval.assistant_systems  # noqa: F401  # imports the real retrieval before a test fakes it
from eval.translated import CHINESE_PAIRS, evaluate_translated, read_pair_rows, read_pairs
from shopchat.cli.evaluate import app
from shopchat.errors import DataError
from shopchat.language import has_han
from shopchat.settings import Settings
from tests.conftest import DATA_DIR

if TYPE_CHECKING:
    from tests.eval.conftest import FakeSearcher

ICECAT_JUDGMENTS = DATA_DIR / "icecat" / "judgments.csv"

TWO_COLUMNS = "query_zh,query_en\n蓝牙音箱,bluetooth speaker\n无线鼠标,wireless mouse\n"
THREE_COLUMNS = ("query_zh,query_en,split\n蓝牙音箱,bluetooth speaker,dev\n"
                 "无线鼠标,wireless mouse,heldout\n投影仪,projector,dev\n")


@pytest.mark.parametrize(("text", "split", "language", "expected"), [
    pytest.param(TWO_COLUMNS, None, "zh",
                 [("蓝牙音箱", "bluetooth speaker"), ("无线鼠标", "wireless mouse")],
                 id="2-col-all-rows"),
    pytest.param(TWO_COLUMNS, "all", "zh",
                 [("蓝牙音箱", "bluetooth speaker"), ("无线鼠标", "wireless mouse")],
                 id="2-col-split-all"),
    pytest.param(THREE_COLUMNS, None, "zh",
                 [("蓝牙音箱", "bluetooth speaker"), ("无线鼠标", "wireless mouse"),
                  ("投影仪", "projector")], id="3-col-all-rows"),
    pytest.param(THREE_COLUMNS, "dev", "zh",
                 [("蓝牙音箱", "bluetooth speaker"), ("投影仪", "projector")], id="3-col-dev"),
    pytest.param(THREE_COLUMNS, "heldout", "zh", [("无线鼠标", "wireless mouse")],
                 id="3-col-heldout"),
    pytest.param("query_de,query_en\n Maus , mouse \n\n", None, "de", [("Maus", "mouse")],
                 id="other-language-cells-stripped-blank-line-skipped"),
    pytest.param("\ufeffquery_zh,query_en,split\n鼠标,mouse,dev\n", "dev", "zh",
                 [("鼠标", "mouse")], id="byte-order-mark"),
    pytest.param("query_zh,query_en,split\n", None, "zh", [], id="header-only"),
])
def test_read_pairs(tmp_path: Path, text: str, split: str | None, language: str,
                    expected: list[tuple[str, str]]) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(text, encoding="utf-8")
    assert read_pairs(path, split) == (language, expected)


def test_read_pair_rows_gives_every_rows_split(tmp_path: Path) -> None:
    two, three = tmp_path / "two.csv", tmp_path / "three.csv"
    two.write_text(TWO_COLUMNS, encoding="utf-8")
    three.write_text(THREE_COLUMNS, encoding="utf-8")
    assert [row[2] for row in read_pair_rows(two)[1]] == ["all", "all"]
    assert [row[2] for row in read_pair_rows(three)[1]] == ["dev", "heldout", "dev"]


@pytest.mark.parametrize(("text", "split", "message"), [
    pytest.param("", None, r"pairs\.csv: row 1: expected the header", id="empty-file"),
    pytest.param("zh,en\n", None, r"pairs\.csv: row 1: expected the header", id="no-prefix"),
    pytest.param("query_zh,query_fr\n", None, "row 1: expected the header", id="not-english"),
    pytest.param("query_,query_en\n", None, "row 1: expected the header", id="no-language"),
    pytest.param("query_zh,query_en,fold\n", None, "row 1: expected the header",
                 id="third-column-not-split"),
    pytest.param("query_zh,query_en,split,extra\n", None, "row 1: expected the header",
                 id="four-columns"),
    pytest.param("query_zh,query_en\n蓝牙音箱,\n", None, r"pairs\.csv: row 2: expected 2",
                 id="2-col-empty-english"),
    pytest.param("query_zh,query_en\n,mouse\n", None, "row 2: expected 2 non-empty",
                 id="2-col-empty-translation"),
    pytest.param("query_zh,query_en\n鼠标,mouse,dev\n", None, "row 2: expected 2",
                 id="2-col-extra-cell"),
    pytest.param(THREE_COLUMNS + "鼠标垫,mouse pad,\n", None,
                 r"pairs\.csv: row 5: expected 3 non-empty columns .*split",
                 id="3-col-empty-split"),
    pytest.param(THREE_COLUMNS + "鼠标垫,mouse pad,  \n", "dev", "row 5: expected 3",
                 id="3-col-blank-split"),
    pytest.param(THREE_COLUMNS + "鼠标垫,mouse pad\n", None, "row 5: expected 3",
                 id="3-col-missing-split"),
    pytest.param(THREE_COLUMNS + "投影仪,projector screen,dev\n", None,
                 "row 5: translated query '投影仪' is already on row 4",
                 id="repeated-translation"),
    pytest.param(THREE_COLUMNS, "test", r"pairs\.csv: no split 'test'.*: dev, heldout",
                 id="unknown-split-lists-splits"),
    pytest.param(TWO_COLUMNS, "dev", "no split 'dev'.*splits: all", id="2-col-has-only-all"),
    pytest.param("query_zh,query_en,split\n", "dev", "no split 'dev'.*no rows",
                 id="no-rows-no-splits"),
])
def test_bad_pairs_files(tmp_path: Path, text: str, split: str | None, message: str) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_pairs(path, split)


def test_unreadable_pairs_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"missing\.csv: cannot read translated queries"):
        read_pairs(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("query_de,query_en\nMäuse,mice\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"latin\.csv: cannot read"):
        read_pairs(latin)


# --- the shipped Chinese Icecat queries ----------------------------------------------------

def shipped_rows() -> list[tuple[str, str, str]]:
    language, rows = read_pair_rows(CHINESE_PAIRS)
    assert language == "zh"
    return rows


def test_shipped_file_size_and_splits() -> None:
    rows = shipped_rows()
    splits = [split for _, _, split in rows]
    assert len(rows) >= 60
    assert set(splits) == {"dev", "heldout"}
    assert splits.count("heldout") >= 20 and splits.count("dev") >= 15
    with CHINESE_PAIRS.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == ["query_zh", "query_en", "split"]
    _, every = read_pairs(CHINESE_PAIRS)
    _, dev = read_pairs(CHINESE_PAIRS, "dev")
    _, heldout = read_pairs(CHINESE_PAIRS, "heldout")
    assert len(dev) + len(heldout) == len(every) == len(rows)
    assert not {en for _, en in dev} & {en for _, en in heldout}


def test_shipped_queries_are_distinct_chinese() -> None:
    rows = shipped_rows()
    chinese = [zh for zh, _, _ in rows]
    english = [en for _, en, _ in rows]
    assert len(set(chinese)) == len(chinese), "a Chinese query is repeated"
    assert len(set(english)) == len(english), "an English query is translated twice"
    assert [zh for zh in chinese if not has_han(zh)] == []
    assert [en for en in english if has_han(en)] == []


@pytest.mark.skipif(not ICECAT_JUDGMENTS.exists(),
                    reason=f"no Icecat judgments at {ICECAT_JUDGMENTS}: set SHOPCHAT_DATA_DIR")
def test_shipped_english_queries_are_judged() -> None:
    with ICECAT_JUDGMENTS.open(encoding="utf-8", newline="") as fh:
        judged = {row["query"] for row in csv.DictReader(fh)}
    english = {en for _, en, _ in shipped_rows()}
    assert english <= judged, sorted(english - judged)
    assert len(english) >= 0.9 * len(judged)  # most judged queries have a translation


# --- evaluate_translated and the command, on a scripted searcher -------------------------

JUDGED = "query,docid,rating\nq1,a,3\nq1,b,0\nq2,d,1\n"
PAIRS = "query_zh,query_en,split\n甲,q1,dev\n乙,q2,heldout\n"


@pytest.fixture
def translated_files(tmp_path: Path) -> tuple[Path, Path]:
    judged, pairs = tmp_path / "judgments.csv", tmp_path / "pairs.csv"
    judged.write_text(JUDGED, encoding="utf-8")
    pairs.write_text(PAIRS, encoding="utf-8")
    return judged, pairs


def scripted() -> FakeSearcher:
    from tests.eval.conftest import FakeSearcher

    return FakeSearcher({"bm25": {"q1": ["a"], "q2": ["d"], "甲": ["b"], "乙": ["d"]}})


@pytest.mark.parametrize(("split", "expected"), [
    (None, [("甲", "q1"), ("乙", "q2")]), ("dev", [("甲", "q1")]), ("heldout", [("乙", "q2")]),
])
def test_evaluate_translated_scores_one_split(
    translated_files: tuple[Path, Path], tmp_path: Path, split: str | None,
    expected: list[tuple[str, str]],
) -> None:
    judged, pairs = translated_files
    result = evaluate_translated(scripted(), judged, pairs, ["bm25"], tmp_path / "out",
                                 progress=False, split=split)
    assert (result.language, result.pairs, result.split) == ("zh", expected, split)
    written = (tmp_path / "out" / "judgments-zh.csv").read_text(encoding="utf-8")
    assert {line.split(",")[0] for line in written.splitlines()[1:]} == {zh for zh, _ in expected}
    assert result.original.systems["bm25"].metrics["ndcg@10"] == 1.0


def test_evaluate_translated_unknown_split(translated_files: tuple[Path, Path],
                                           tmp_path: Path) -> None:
    judged, pairs = translated_files
    with pytest.raises(DataError, match=r"no split 'test'.*dev, heldout"):
        evaluate_translated(scripted(), judged, pairs, ["bm25"], tmp_path / "out",
                            progress=False, split="test")


def fake_retrieval(monkeypatch: pytest.MonkeyPatch, opened: list[str]) -> None:
    def open_searcher(catalog: str, settings: Settings) -> FakeSearcher:
        opened.append(catalog)
        return scripted()

    module = types.ModuleType("retrieval")
    module.open_searcher = open_searcher  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "retrieval", module)


@pytest.mark.parametrize(("args", "title"), [
    ([], "2 queries (all rows), English vs zh"),
    (["--split", "dev"], "1 queries (split dev), English vs zh"),
])
def test_translated_command_split(translated_files: tuple[Path, Path], tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch, args: list[str],
                                  title: str) -> None:
    judged, pairs = translated_files
    opened: list[str] = []
    fake_retrieval(monkeypatch, opened)
    result = CliRunner().invoke(app, [
        "translated", "--catalog", "tiny", "--judgments", str(judged), "--pairs", str(pairs),
        "--systems", "bm25", "--out", str(tmp_path / "out"), *args,
    ], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert opened == ["tiny"]
    assert title in result.output


def test_translated_command_unknown_split_exits_1_before_opening_the_index(
    translated_files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    judged, pairs = translated_files
    opened: list[str] = []
    fake_retrieval(monkeypatch, opened)
    result = CliRunner().invoke(app, [
        "translated", "--catalog", "tiny", "--judgments", str(judged), "--pairs", str(pairs),
        "--systems", "bm25", "--out", str(tmp_path / "out"), "--split", "test",
    ], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "no split 'test'" in result.output and "dev, heldout" in result.output
    assert opened == []


def test_answerable_and_condensed_figures(translated_files: tuple[Path, Path],
                                          tmp_path: Path) -> None:
    """甲 ranks an item judged 0 first ("b"), then nothing judged relevant: plain nDCG 0; q1's
    relevant "a" is judged and missing. Condensed removes only unjudged items, so an unjudged
    item ranked first costs nothing there, while a judged non-relevant one still does."""
    judged, pairs = translated_files
    from tests.eval.conftest import FakeSearcher

    searcher = FakeSearcher({"bm25": {"q1": ["a"], "q2": ["d"], "甲": ["x", "a"], "乙": ["b"]}})
    result = evaluate_translated(searcher, judged, pairs, ["bm25"], tmp_path / "out",
                                 progress=False)
    assert result.answerable == {"q1", "q2"}
    assert result.mean("bm25", "ndcg@10", "en", answerable_only=True) == 1.0
    plain_zh = result.mean("bm25", "ndcg@10", "zh")
    assert 0 < plain_zh < 0.5  # 甲: "a" at rank 2 behind an unjudged item; 乙: nothing
    (en, en_judged), (zh, zh_judged) = (result.condensed("bm25", side) for side in ("en", "zh"))
    assert (en, en_judged) == (1.0, 0.1)
    assert zh == 0.5 and zh_judged == 0.05  # 甲 condensed to ["a"]: 1.0; 乙 has no "d": 0.0
