"""Bad input, table-driven: every case names its input and the result it must give.

Shopper messages and user ids go through ``Assistant.ask`` on the real dummyjson index; catalog
files through the generic loader (and the index for the "nothing stored is lost" cases). Each
gets a clear message naming what was wrong and where (file, row, field), or a correct answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant import Answer, Assistant
from catalog import load_file
from catalog.generic import ColumnMapping
from retrieval import Searcher, build_index
from retrieval.profiles.forget import forget_user
from shopchat.errors import DataError, InputError
from shopchat.settings import Settings
from tests.conftest import make_settings


@dataclass(frozen=True)
class Message:
    name: str
    text: str
    intent: str  # the Answer.intent it must give
    check: Callable[[Answer], bool] = lambda a: True
    user: str = "shopper"


def no_control_chars(answer: Answer) -> bool:
    return all(c.isprintable() or c in "\n" for c in answer.message)


MESSAGES = [
    Message("empty", "", "empty", lambda a: not a.items and "looking for" in a.message),
    Message("whitespace only", " \t\n  ", "empty", lambda a: not a.items),
    Message("1 MB query", "lipstick " * 116_509, "too_long",
            lambda a: "limit is 2000" in a.message and not a.items),
    Message("2001 characters", "a" * 2001, "too_long", lambda a: "2001 characters" in a.message),
    Message("2000 characters (the limit)", "lipstick " + "a" * 1991, "search"),
    Message("NUL and terminal escapes", "\x00\x07red lipstick\x1b[31m", "search",
            lambda a: no_control_chars(a) and a.query == "red lipstick [31m"),
    Message("zero-width characters", "red\u200b lip\u200dstick", "search", no_control_chars),
    Message("emoji and mixed scripts", "💄 lipstick 口红 помада", "search",
            lambda a: bool(a.items) and "💄" in a.message),
    Message("Chinese only", "口红", "search", lambda a: bool(a.items)),
    Message("right-to-left text", "أحمر شفاه lipstick", "search", lambda a: bool(a.items)),
    Message("SQL payload", "'; DROP TABLE products; --", "search", lambda a: bool(a.items)),
    Message("JSON payload", '{"ranking": [["P1", "x"]], "id": 1}', "search",
            lambda a: bool(a.items)),
    Message("Markdown payload", "**bold** [x](javascript:alert(1)) # h", "search",
            lambda a: "\\*\\*bold\\*\\*" in a.message and not re.search(r"(?<!\\)\]\(", a.message)),
    Message("HTML payload", "<b>lipstick</b><script>alert(1)</script>", "search",
            lambda a: "<script>" not in a.message and "\\<script\\>" in a.message),
    Message("only punctuation", "?!?!...", "search",
            lambda a: not a.items and "no words I can search for" in a.message),
    Message("one 1999-character word", "x" * 1999, "search"),
    Message("price only", "under $20", "search",
            lambda a: all(i.price is not None and i.price <= 20 for i in a.items)),
    Message("impossible price", "lipstick under $0.01", "search",
            lambda a: not a.items and "Without the price limit" in a.message),
    Message("negative price", "lipstick under $-5", "search"),
    Message("huge number", "lipstick under $" + "9" * 400, "search"),
    Message("unicode user id", "lipstick", "search", user="用户-42"),
]


@dataclass(frozen=True)
class BadUser:
    name: str
    user: str
    message: str  # the InputError must contain this


BAD_USERS = [
    BadUser("empty id", "", "non-empty"),
    BadUser("spaces only", "   ", "non-empty"),
    BadUser("path traversal", "../etc/passwd", "path separators"),
    BadUser("slash", "a/b", "path separators"),
    BadUser("backslash", "a\\b", "path separators"),
    BadUser("NUL", "a\x00b", "printable"),
    BadUser("newline", "a\nb", "printable"),
    BadUser("10 KB id", "u" * 10_240, "at most 128"),
]


@pytest.fixture(scope="module")
def bot(dummy_searcher: Searcher, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    home = tmp_path_factory.mktemp("bad-input")
    return Assistant(dummy_searcher, None, Settings(home=home, personalise=False))


@pytest.mark.parametrize("case", MESSAGES, ids=[m.name for m in MESSAGES])
def test_shopper_messages(case: Message, bot: Assistant) -> None:
    answer = bot.ask(case.user, case.text)
    assert answer.intent == case.intent, answer.message
    assert all(bot.searcher.table.get(i.id) is not None for i in answer.items)
    assert case.check(answer), answer.message[:200]


@pytest.mark.parametrize("case", BAD_USERS, ids=[u.name for u in BAD_USERS])
def test_bad_user_ids_are_refused_clearly(case: BadUser, bot: Assistant) -> None:
    with pytest.raises(InputError, match=case.message):
        bot.ask(case.user, "lipstick")
    with pytest.raises(InputError, match=case.message):  # one rule for every entry point
        bot.forget(case.user)
    with pytest.raises(InputError, match=case.message):  # `shopchat forget --user` path
        forget_user(case.user, bot.settings)


@dataclass(frozen=True)
class CatalogFile:
    name: str
    file: str
    content: bytes
    loaded: int | None  # products that load (None: the whole file is refused)
    message: str  # in the first row issue, or in the DataError


HEADER = b"id,title,price,brand\n"
CATALOG_FILES = [
    CatalogFile("broken encoding", "latin1.csv", HEADER + b"1,Caf\xe9 mug,3.5,Acme\n2,Cup,2,Acme\n",
                1, "latin1.csv:1: title: broken encoding"),
    CatalogFile("missing column", "nocol.csv", b"id,name,price,brand\n1,Mug,3,Acme\n", None,
                "missing required column 'title'"),
    CatalogFile("NaN price", "nan.csv", HEADER + b"1,Mug,NaN,Acme\n2,Cup,2,Acme\n", 1,
                "nan.csv:1: price: bad price: NaN"),
    CatalogFile("negative price", "neg.csv", HEADER + b"1,Mug,-3,Acme\n2,Cup,2,Acme\n", 1,
                "neg.csv:1: price: negative price"),
    CatalogFile("price beyond a float", "inf.csv", HEADER + b"1,Mug,1e309,Acme\n2,Cup,2,Acme\n",
                1, "inf.csv:1: price: implausible price"),
    CatalogFile("price not a number", "abc.csv", HEADER + b"1,Mug,abc,Acme\n2,Cup,2,Acme\n", 1,
                "abc.csv:1: price: bad price: 'abc' is not a number"),
    CatalogFile("duplicate ids", "dup.csv", HEADER + b"1,Mug,3,Acme\n1,Cup,2,Acme\n", 1,
                "dup.csv:2: id: duplicate id: '1' first seen at dup.csv row 1"),
    CatalogFile("missing id", "noid.csv", HEADER + b",Mug,3,Acme\n2,Cup,2,Acme\n", 1,
                "noid.csv:1: id: missing id"),
    CatalogFile("missing title", "notitle.csv", HEADER + b"1,,3,Acme\n2,Cup,2,Acme\n", 1,
                "notitle.csv:1: title: missing title"),
    CatalogFile("empty catalog (header only)", "header.csv", HEADER, None,
                "file is empty (no data rows)"),
    CatalogFile("empty file", "zero.csv", b"", None, "file is empty"),
    CatalogFile("a catalog of 1 product", "one.csv", HEADER + b"1,Mug,3,Acme\n", 1, ""),
    CatalogFile("JSON that is not an array", "obj.json", b'{"id": 1}', None,
                "expected a JSON array of objects"),
    CatalogFile("JSON Lines with a broken line", "broken.jsonl",
                b'{"id":"1","title":"Mug","price":3,"brand":"A"}\n{"id": 2, "title": \n'
                b'{"id":"3","title":"Cup","price":2,"brand":"A"}\n', 2,
                "broken.jsonl:2: *: invalid JSON"),
    CatalogFile("control characters in a title", "ctrl.csv",
                HEADER + b"1,Mug\x00\x1b[31m,3,Acme\n", 1, ""),
    CatalogFile("byte-order mark", "bom.csv", "\ufeff".encode() + HEADER + b"1,Mug,3,Acme\n",
                1, ""),
    CatalogFile("a row with too few fields", "short.csv", HEADER + b"1,Mug\n2,Cup,2,Acme\n", 2,
                ""),
    CatalogFile("a 100 KB title", "long.csv", HEADER + b"1," + b"M" * 100_000 + b",3,Acme\n",
                1, ""),
    CatalogFile("binary garbage", "garbage.csv", bytes(range(256)) * 4, None, "garbage.csv"),
]


@pytest.mark.parametrize("case", CATALOG_FILES, ids=[c.name for c in CATALOG_FILES])
def test_catalog_files(case: CatalogFile, tmp_path: Path) -> None:
    path = tmp_path / case.file
    path.write_bytes(case.content)
    mapping = ColumnMapping(price="price", brand="brand")
    if case.loaded is None:
        with pytest.raises(DataError, match=re.escape(case.message)):
            load_file(path, mapping)
        return
    catalog = load_file(path, mapping)
    assert len(catalog.products) == case.loaded
    issues = [str(i) for i in catalog.report.issues]
    if case.message:
        assert issues and issues[0].startswith(case.message), issues
    for product in catalog.products:
        assert product.title.isprintable() and product.id


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nowhere\.csv"):
        load_file(tmp_path / "nowhere.csv", ColumnMapping())


def index_csv(path: Path, settings: Settings, embedder: object) -> None:
    """Load ``path`` with the shop mapping and index it (raises what the loader raises)."""
    build_index(load_file(path, ColumnMapping(price="price", brand="brand")), settings,
                embedder=embedder, progress=False)  # type: ignore[arg-type]


def index_shop(tmp_path: Path, data_dir: Path, embedder: object, name: str,
               rows: bytes) -> tuple[Settings, Path]:
    """A fresh home with ``name``.csv (``HEADER`` + ``rows``) indexed in it."""
    settings = make_settings(tmp_path / "home", data_dir)
    path = tmp_path / f"{name}.csv"
    path.write_bytes(HEADER + rows)
    index_csv(path, settings, embedder)
    return settings, path


def test_a_bad_file_never_loses_what_is_indexed(
    tmp_path: Path, data_dir: Path, embedder: object
) -> None:
    """A refused file stops before the index is touched; the catalog stored before stays."""
    settings, good = index_shop(tmp_path, data_dir, embedder, "shop",
                                b"1,Red mug,3,Acme\n2,Blue cup,2,Acme\n")
    good.write_bytes(b"id,name\n1,Mug\n")  # the next delivery lost its title column
    with pytest.raises(DataError):
        index_csv(good, settings, embedder)
    searcher = Searcher.open("shop", settings, embedder=embedder)  # type: ignore[arg-type]
    assert sorted(searcher.table.row_of) == ["1", "2"]
    assert searcher.collection.count() == 2
    assert searcher.search("mug", k=1).ids == ["1"]


def test_a_catalog_of_one_product_indexes_and_answers(
    tmp_path: Path, data_dir: Path, embedder: object
) -> None:
    settings, _ = index_shop(tmp_path, data_dir, embedder, "solo", b"1,Red mug,3,Acme\n")
    searcher = Searcher.open("solo", settings, embedder=embedder)  # type: ignore[arg-type]
    bot = Assistant(searcher, None, settings.model_copy(update={"personalise": False}))
    answer = bot.ask("shopper", "mug under $5")
    assert [i.id for i in answer.items] == ["1"]
    assert bot.ask("shopper", "mug under $1").items == []
