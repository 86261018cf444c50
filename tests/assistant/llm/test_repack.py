"""The default model re-packed as Q8_0 once: cached, atomic, and harmless when it fails."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.llm.local import LocalLLM, default_model_path
from assistant.llm.repack import repacked
from shopchat.settings import Settings
from tests.assistant.llm.conftest import PICK_MESSAGES, PICK_SCHEMA, Pick


def test_repack_is_made_once_and_reused(tmp_path: Path) -> None:
    source = default_model_path()
    first = repacked(source, "q8_0", tmp_path)
    assert first != source and first.parent == tmp_path and first.suffix == ".gguf"
    assert first.read_bytes()[:4] == b"GGUF" and first.stat().st_size > source.stat().st_size
    made = first.stat().st_mtime_ns
    assert repacked(source, "Q8_0", tmp_path) == first and first.stat().st_mtime_ns == made
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("kind", ["none", "original", ""])
def test_repack_can_be_turned_off(tmp_path: Path, kind: str) -> None:
    assert repacked(default_model_path(), kind, tmp_path) == default_model_path()
    assert not list(tmp_path.iterdir())


def test_unknown_kind_or_failure_falls_back_to_the_source(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert repacked(default_model_path(), "q3_weird", tmp_path) == default_model_path()
    assert "unknown SHOPCHAT_LLM_REPACK" in caplog.text
    unwritable = tmp_path / "file"
    unwritable.write_text("not a folder")
    assert repacked(default_model_path(), "q8_0", unwritable / "models") == default_model_path()
    assert "could not re-pack" in caplog.text


def test_local_backend_uses_the_repacked_default(tmp_path: Path) -> None:
    llm = LocalLLM.from_settings(Settings(home=tmp_path))
    assert llm.repack == "q8_0" and llm.cache_dir == tmp_path / "models"
    assert llm.prompt_item_chars == 0
    Pick.model_validate_json(
        llm.complete_json(PICK_MESSAGES, PICK_SCHEMA, max_tokens=200, timeout_s=60)
    )
    assert [p.name for p in (tmp_path / "models").glob("*-q8_0-*.gguf")]
