"""Picking a backend by name from settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.llm import BACKENDS, get_llm
from assistant.llm.local import LocalLLM
from assistant.llm.openai_backend import OpenAILLM
from shopchat.errors import ConfigError
from shopchat.settings import Settings


def test_default_backend_is_local_smollm2() -> None:
    llm = get_llm(Settings())
    assert isinstance(llm, LocalLLM) and llm.model_path is None and llm.name == "local"


def test_local_backend_takes_a_gguf_path(tmp_path: Path) -> None:
    llm = get_llm(Settings(llm_model=str(tmp_path / "m.gguf")))
    assert isinstance(llm, LocalLLM) and llm.model_path == tmp_path / "m.gguf"


def test_openai_backend_from_settings() -> None:
    settings = Settings(
        llm_backend="openai", llm_url="http://127.0.0.1:9/v1", llm_api_key="k", llm_timeout=3
    )
    llm = get_llm(settings)
    assert isinstance(llm, OpenAILLM)
    assert (llm.base_url, llm.model, llm.api_key, llm.timeout_s) == (
        "http://127.0.0.1:9/v1",
        "local",
        "k",
        3,
    )
    named = get_llm(settings.model_copy(update={"llm_model": "Qwen/Qwen2.5-7B-Instruct"}))
    assert isinstance(named, OpenAILLM) and named.model == "Qwen/Qwen2.5-7B-Instruct"


def test_none_means_no_llm() -> None:
    assert get_llm(Settings(llm_backend="none")) is None
    assert get_llm(Settings(llm_backend=" None ")) is None


def test_unknown_backend_lists_the_names() -> None:
    with pytest.raises(ConfigError, match="SHOPCHAT_LLM_BACKEND='gpt': use one of local, openai, "
                       "none"):
        Settings(llm_backend="gpt")
    unchecked = Settings().model_copy(update={"llm_backend": "gpt"})  # copies skip validation
    with pytest.raises(ConfigError, match="use one of local, openai, none"):
        get_llm(unchecked)


def test_backends_table() -> None:
    assert set(BACKENDS) == {"local", "openai"}
