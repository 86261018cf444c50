"""Settings are checked when they are made: a bad SHOPCHAT_* value fails at start-up, naming the
variable, the value and what is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
from typer.testing import CliRunner

from shopchat.errors import ConfigError
from shopchat.settings import (
    LLMBackend,
    PersonalRankerName,
    Repack,
    SearchRankerName,
    Settings,
    get_settings,
)

BAD = [
    ("SHOPCHAT_LLM_BACKEND", "lcoal", "use one of local, openai, none"),
    ("SHOPCHAT_LLM_BACKEND", "vllm", "use one of local, openai, none"),
    ("SHOPCHAT_LLM_REPACK", "q4_0", "use one of q8_0, f16, none"),
    ("SHOPCHAT_SEARCH_RANKER", "lamdamart",
     "no such model file 'lamdamart'; use auto, lambdamart, rrf or a path to a model file"),
    ("SHOPCHAT_SEARCH_RANKER", "models/missing.txt", "no such model file 'models/missing.txt'"),
    ("SHOPCHAT_PERSONAL_RANKER", "Linear",
     "no such model file 'Linear'; use auto, learned, linear or a path to a model file"),
    ("SHOPCHAT_RERANK_TOP_N", "twenty", "Input should be a valid integer"),
    ("SHOPCHAT_PERSONALISE", "maybe", "Input should be a valid boolean"),
]


@pytest.mark.parametrize(("variable", "value", "reason"), BAD,
                         ids=[f"{v}={x}" for v, x, _ in BAD])
def test_a_bad_value_names_the_variable_and_what_is_allowed(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, reason: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        Settings()
    assert str(info.value).startswith(f"invalid setting: {variable}={value!r}: {reason}")


def test_every_bad_value_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPCHAT_LLM_BACKEND", "gpt")
    monkeypatch.setenv("SHOPCHAT_SEARCH_RANKER", "fusion")
    with pytest.raises(ConfigError, match=r"SHOPCHAT_SEARCH_RANKER='fusion'.*"
                       r"SHOPCHAT_LLM_BACKEND='gpt'"):
        Settings()


GOOD = [
    ("llm_backend", " OpenAI ", "openai"),  # spelt any case, as before
    ("llm_backend", "none", "none"),
    ("llm_repack", "F16", "f16"),
    ("llm_repack", "original", "none"),
    ("llm_repack", "", "none"),
    ("search_ranker", "rrf", "rrf"),
    ("personal_ranker", "learned", "learned"),
]


@pytest.mark.parametrize(("field", "value", "kept"), GOOD, ids=[f"{f}={v!r}" for f, v, _ in GOOD])
def test_good_values_compare_as_strings(field: str, value: str, kept: str) -> None:
    assert getattr(Settings(**{field: value}), field) == kept


def test_a_ranker_may_be_a_model_file(tmp_path: Path) -> None:
    model = tmp_path / "ranker.txt"
    model.write_text("a model", encoding="utf-8")
    assert Settings(search_ranker=str(model)).search_ranker == model
    assert Settings(personal_ranker=str(model)).personal_ranker == model


def test_the_choices_are_the_ones_the_code_knows() -> None:
    from assistant.llm import BACKENDS, NO_LLM
    from assistant.llm.repack import REPACK_TYPES
    from retrieval.profiles.rankers import PERSONAL_RANKERS
    from retrieval.ranking.rankers import AUTO, SEARCH_RANKERS

    assert set(get_args(LLMBackend)) == {*BACKENDS, NO_LLM}
    assert set(get_args(Repack)) == {*REPACK_TYPES, "none"}
    assert set(get_args(SearchRankerName)) == {AUTO, *SEARCH_RANKERS.named}
    assert set(get_args(PersonalRankerName)) == {AUTO, *PERSONAL_RANKERS.named}


def test_the_cli_stops_at_start_up_on_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    from shopchat.cli.main import app

    monkeypatch.setenv("SHOPCHAT_LLM_BACKEND", "lcoal")
    monkeypatch.setenv("COLUMNS", "200")  # one line
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["search", "lipstick"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "SHOPCHAT_LLM_BACKEND='lcoal': use one of local, openai, none" in result.output


SHORT = "a key or secret must have at least 16 characters"
WEAK = [
    ("SHOPCHAT_API_KEYS", "CHANGE_ME", "a placeholder, not a secret"),
    ("SHOPCHAT_API_KEYS", "a-long-enough-key-123, change-me", "a placeholder, not a secret"),
    ("SHOPCHAT_API_KEYS", "a-long-enough-key-123,short-key", SHORT),
    ("SHOPCHAT_TOKEN_SECRET", "Change-Me", "a placeholder, not a secret"),
    ("SHOPCHAT_TOKEN_SECRET", "hunter2", SHORT),
]


@pytest.mark.parametrize(("variable", "value", "reason"), WEAK,
                         ids=[f"{v}={x}" for v, x, _ in WEAK])
def test_placeholder_and_short_secrets_are_refused_without_being_echoed(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, reason: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        Settings()
    message = str(info.value)
    assert message.startswith(f"invalid setting: {variable}=<hidden>: {reason}")
    assert value not in message


def test_strong_secrets_and_unset_ones_are_taken() -> None:
    settings = Settings(api_keys=" a-long-enough-key-123 , another-long-key-456,",
                        token_secret="x" * 16)
    assert settings.api_key_list == ["a-long-enough-key-123", "another-long-key-456"]
    assert Settings(api_keys="", token_secret=None).api_key_list == []


def test_a_bad_database_url_is_refused_without_being_echoed() -> None:
    url = "postgresql://shop:s3cret-password@db:5432/shop"
    with pytest.raises(ConfigError) as info:
        Settings(database_url=[url])
    message = str(info.value)
    assert "SHOPCHAT_DATABASE_URL=<hidden>" in message and "s3cret" not in message


@pytest.mark.parametrize("url", [
    "host=db user=shop password=s3cret dbname=shop",
    "host=db password = 's3 cret' dbname=shop",
    "mysql://shop:s3cret@db/shop",
])
def test_an_unusable_database_url_is_named_without_its_password(url: str) -> None:
    from shopchat.database import open_database

    with pytest.raises(ConfigError) as info:
        open_database(url, Path("unused.sqlite"))
    assert "s3cret" not in str(info.value) and "s3 cret" not in str(info.value)
    assert "SHOPCHAT_DATABASE_URL=" in str(info.value)
