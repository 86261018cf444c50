"""Judgment file reading and validation."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from eval.judgments import load_judgments
from shopchat.errors import DataError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "j.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file(judgments_file: Path) -> None:
    j = load_judgments(judgments_file)
    assert j.queries == ["q1", "q2", "q3"]
    assert j.as_dict() == {"q1": {"a": 3, "b": 2, "c": 0}, "q2": {"d": 1}, "q3": {"e": 0}}
    assert j.report.rows_read == 5 and j.report.loaded == 5 and j.report.rejected == 0
    assert str(j.frame["rating"].dtype) == "int64"


def test_docids_stay_strings(tmp_path: Path) -> None:
    j = load_judgments(_write(tmp_path, "query,docid,rating\nq,007,1\nq,1e3,2\n"))
    assert list(j.frame["docid"]) == ["007", "1e3"]


def test_bad_rows_are_skipped_and_reported(tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    path = _write(tmp_path, (
        "query,docid,rating\n"
        "q1,a,3\n"        # line 2: ok
        ",b,1\n"          # line 3: empty query
        "q1,,1\n"         # line 4: empty docid
        "q1,c,high\n"     # line 5: not a number
        "q1,d,-1\n"       # line 6: negative
        "q1,e,1.5\n"      # line 7: fractional
        "q1,a,2\n"        # line 8: duplicate of line 2
        "q2,f,2.0\n"      # line 9: ok ("2.0" is an integer)
    ))
    with caplog.at_level(logging.WARNING, logger="eval.judgments"):
        j = load_judgments(path)
    assert j.as_dict() == {"q1": {"a": 3}, "q2": {"f": 2}}
    assert j.report.rows_read == 8 and j.report.loaded == 2 and j.report.rejected == 6
    assert [(i.row, i.field) for i in j.report.issues] == [
        (3, "query"), (4, "docid"), (5, "rating"), (6, "rating"), (7, "rating"), (8, "docid")]
    assert j.report.reasons() == {"empty query": 1, "empty docid": 1,
                                  "not a non-negative integer": 3, "duplicate": 1}
    assert f"{path}:5: rating: not a non-negative integer: 'high'" in caplog.text
    assert "skipped 6 of 8" in caplog.text


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "query,doc,rating\nq,a,1\n")
    with pytest.raises(DataError, match="missing column 'docid'") as err:
        load_judgments(path)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        load_judgments(tmp_path / "nope.csv")


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read"):
        load_judgments(_write(tmp_path, ""))


def test_no_valid_rows(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no valid judgment rows"):
        load_judgments(_write(tmp_path, "query,docid,rating\nq,a,x\n"))


def test_real_judgments_file(data_dir: Path) -> None:
    j = load_judgments(data_dir / "icecat" / "judgments.csv")
    assert len(j.frame) == 2680
    assert len(j.queries) == 95
    assert j.report.rejected == 0
    assert set(j.frame["rating"]) == {0, 1, 2, 3}
