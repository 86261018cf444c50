"""The deployment on paper (deploy/, docs/DEPLOY.md) agrees with the code it deploys.

No container is started: the compose file is read as YAML (and, where a Compose v2 binary is
installed, checked by ``docker compose config``); every ``SHOPCHAT_*`` it sets is a real setting
whose value loads; images are pinned; the healthcheck and proxy paths are the app's; the vLLM
flags are the ones ``shopchat serve-llm`` builds; the image installs what pyproject asks for.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from shopchat.cli.serve_llm import build_vllm_command
from shopchat.errors import ConfigError
from shopchat.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
ENV_EXAMPLES = sorted(DEPLOY.glob("*.env.example"))
DEPLOY_DOC = ROOT / "docs" / "DEPLOY.md"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

SERVICES = {"proxy", "shopchat", "index", "chroma", "postgres", "vllm"}
SECRETS = {"SHOPCHAT_DATABASE_URL", "SHOPCHAT_API_KEYS", "SHOPCHAT_TOKEN_SECRET",
           "SHOPCHAT_LLM_API_KEY", "POSTGRES_PASSWORD", "HF_TOKEN", "VLLM_API_KEY"}
"""Never a literal in compose.yaml: they come from the git-ignored env files."""
APP_PATHS = {"/healthz", "/readyz", "/docs", "/openapi.json"}
"""The app's own paths, used until ``assistant.api`` can be imported."""
SETTING = re.compile(r"\b(SHOPCHAT_[A-Z0-9_]+)\b")
DEFAULTED = re.compile(r"\$\{(\w+):-([^}]*)\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def defaults(text: str) -> str:
    """``${VAR:-default}`` as Compose reads it with VAR unset."""
    return DEFAULTED.sub(lambda m: m.group(2), text)


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's ``environment`` (map or list form) as strings."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of an env file, commented-out examples included (``# KEY=``)."""
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            found[match.group(1)] = match.group(2)
    return found


def dockerfile_env() -> dict[str, str]:
    """``NAME=value`` pairs of the Dockerfile's ENV instructions (continuations joined)."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip().startswith("ENV "):
            pairs.update(re.findall(r"(\w+)=(\S+)", line))
    return pairs


def shopchat_variables(services: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str, str]]:
    """(where, variable, value) for every SHOPCHAT_* the deployment sets."""
    for name, service in services.items():
        for key, value in environment(service).items():
            yield f"compose.yaml:{name}", key, value
    for path in ENV_EXAMPLES:
        for key, value in env_file(path).items():
            yield path.name, key, value
    for key, value in dockerfile_env().items():
        yield "Dockerfile", key, value


def test_the_compose_file_has_every_service(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == SERVICES


def test_every_shopchat_variable_is_a_setting(services: dict[str, dict[str, Any]]) -> None:
    found = [(w, k) for w, k, _ in shopchat_variables(services) if k.startswith(ENV_PREFIX)]
    assert len(found) > 15, found  # the walk reaches the merged anchors and the env files
    unknown = [f"{where}: {key}" for where, key in found
               if key.removeprefix(ENV_PREFIX).lower() not in Settings.model_fields]
    assert not unknown, f"not a field of shopchat.settings.Settings: {unknown}"


@pytest.mark.parametrize("service", ["shopchat", "index"])
def test_each_process_environment_loads(
    services: dict[str, dict[str, Any]], service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a replica / the index job starts with (env file, then compose) passes validation."""
    for key in list(os.environ):
        if key.startswith(ENV_PREFIX):
            monkeypatch.delenv(key)
    values = {**dockerfile_env(), **env_file(DEPLOY / "shopchat.env.example"),
              **environment(services[service])}
    for key, value in values.items():
        if key.startswith(ENV_PREFIX):
            monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match="SHOPCHAT_API_KEYS=<hidden>: a placeholder"):
        Settings()  # the example as shipped: its CHANGE_ME placeholders are refused
    for key, value in values.items():  # as the operator edits it: generated secrets
        if key.startswith(ENV_PREFIX) and "CHANGE_ME" in value:
            monkeypatch.setenv(key, value.replace("CHANGE_ME", secrets.token_urlsafe(32)))
    settings = Settings()  # raises ConfigError naming a bad value
    assert settings.llm_backend == "openai"
    assert settings.database_url and settings.database_url.startswith("postgresql://")
    assert settings.chroma_url and settings.api_key_list and settings.token_secret
    assert not settings.demo


def test_secrets_come_from_env_files_only(services: dict[str, dict[str, Any]]) -> None:
    literal = [f"{name}: {key}" for name, service in services.items()
               for key in environment(service) if key in SECRETS]
    assert not literal, f"secrets set in compose.yaml instead of an env file: {literal}"
    examples = {k for path in ENV_EXAMPLES for k in env_file(path)}
    assert examples >= SECRETS, SECRETS - examples
    assert "*.env" in (DEPLOY / ".gitignore").read_text().split()
    for name in ("shopchat", "index", "postgres"):
        files = [entry["path"] if isinstance(entry, dict) else entry
                 for entry in services[name]["env_file"]]
        assert all((DEPLOY / f"{f}.example").is_file() for f in files), files


def test_the_database_password_matches(services: dict[str, dict[str, Any]]) -> None:
    url = urlsplit(env_file(DEPLOY / "shopchat.env.example")["SHOPCHAT_DATABASE_URL"])
    postgres = environment(services["postgres"])
    assert url.hostname == "postgres" and url.port == 5432
    assert url.username == postgres["POSTGRES_USER"]
    assert url.path.lstrip("/") == postgres["POSTGRES_DB"]
    assert url.password == env_file(DEPLOY / "postgres.env.example")["POSTGRES_PASSWORD"]


def test_every_image_is_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        image = defaults(service["image"])
        tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
        assert tag and tag != "latest" and re.search(r"\d", tag), f"{name}: {image} is not pinned"
    shopchat_image = defaults(services["shopchat"]["image"])
    assert shopchat_image == f"shopchat:{PYPROJECT['project']['version']}"
    assert services["index"]["image"] == services["shopchat"]["image"]


def test_chroma_server_matches_the_client(services: dict[str, dict[str, Any]]) -> None:
    """A 1.x server for the pinned ``chromadb>=1.3,<2`` client."""
    (spec,) = [d for d in PYPROJECT["project"]["dependencies"] if d.startswith("chromadb")]
    assert ">=1." in spec and "<2" in spec
    version = services["chroma"]["image"].rpartition(":")[2]
    major, minor = (int(part) for part in version.split(".")[:2])
    low = int(re.search(r">=1\.(\d+)", spec).group(1))  # type: ignore[union-attr]
    assert major == 1 and minor >= low


def app_paths() -> tuple[set[str], str]:
    """The paths the app serves outside the page, and the API's route prefix."""
    try:
        from assistant.api import health, routes
    except ImportError:  # the HTTP API has not landed in this tree
        return APP_PATHS, "/api/v1"
    paths = {route.path for route in health.router.routes}  # type: ignore[attr-defined]
    return paths | {"/docs", "/openapi.json"}, routes.router.prefix


def test_healthchecks_ask_the_app(services: dict[str, dict[str, Any]]) -> None:
    paths, _ = app_paths()
    probe = " ".join(services["shopchat"]["healthcheck"]["test"])
    (url,) = re.findall(r"http://[^'\"\s]+", probe)
    assert urlsplit(url).port == 7860 and urlsplit(url).path in paths
    assert "7860" in services["shopchat"]["command"]
    assert {"/healthz", "/readyz"} <= paths
    for name in ("postgres", "chroma", "vllm", "proxy"):
        assert services[name]["healthcheck"]["test"], name


def labels(service: dict[str, Any]) -> dict[str, str]:
    raw = service["labels"]
    pairs = raw.items() if isinstance(raw, dict) else (item.split("=", 1) for item in raw)
    return {str(k): str(v) for k, v in pairs}


def test_the_page_is_sticky_and_the_api_is_not(services: dict[str, dict[str, Any]]) -> None:
    found = labels(services["shopchat"])
    router, service = "traefik.http.routers.", "traefik.http.services."
    assert found[f"{router}shopchat-api.service"] == "shopchat-api"
    assert found[f"{router}shopchat-page.service"] == "shopchat-page"
    assert found[f"{service}shopchat-page.loadbalancer.sticky.cookie.name"]
    assert not any(k.startswith(f"{service}shopchat-api.loadbalancer.sticky") for k in found)
    assert int(found[f"{router}shopchat-api.priority"]) > int(
        found[f"{router}shopchat-page.priority"])
    paths, prefix = app_paths()
    rule = found[f"{router}shopchat-api.rule"]
    prefixes = re.findall(r"PathPrefix\(`([^`]+)`\)", rule)
    exact = set(re.findall(r"(?<!Prefix)Path\(`([^`]+)`\)", rule))
    assert any(prefix.startswith(p) for p in prefixes), (prefix, rule)
    assert exact <= paths, exact - paths
    assert services["shopchat"]["deploy"]["replicas"]


def test_vllm_runs_what_serve_llm_builds(services: dict[str, dict[str, Any]]) -> None:
    command = [str(arg) for arg in services["vllm"]["command"]]
    flags = {flag: value for flag, value in pairwise(command)
             if flag.startswith("--") and not value.startswith("--")}
    expected = build_vllm_command(
        flags["--model"], python="python3", served_model_name=flags["--served-model-name"],
        host="0.0.0.0", port=int(flags["--port"]), max_model_len=int(flags["--max-model-len"]),
        max_num_seqs=int(flags["--max-num-seqs"]),
        gpu_memory_utilization=float(flags["--gpu-memory-utilization"]),
    )
    assert command == expected[3:]  # after `python3 -m vllm.entrypoints.openai.api_server`
    env = environment(services["shopchat"])
    url = urlsplit(env["SHOPCHAT_LLM_URL"])
    assert (url.hostname, url.port) == ("vllm", int(flags["--port"]))
    assert env["SHOPCHAT_LLM_MODEL"] == flags["--served-model-name"]
    replicas = int(defaults(str(services["shopchat"]["deploy"]["replicas"])))
    assert replicas * int(env["SHOPCHAT_LLM_CONCURRENCY"]) <= int(flags["--max-num-seqs"])
    (gpu,) = services["vllm"]["deploy"]["resources"]["reservations"]["devices"]
    assert gpu["capabilities"] == ["gpu"]


def test_stores_are_the_compose_services(services: dict[str, dict[str, Any]]) -> None:
    env = environment(services["shopchat"])
    chroma = urlsplit(env["SHOPCHAT_CHROMA_URL"])
    assert chroma.hostname == "chroma" and "8000" in " ".join(services["chroma"]["healthcheck"]
                                                              ["test"])
    home = env["SHOPCHAT_HOME"]
    assert f"shopchat-home:{home}:ro" in services["shopchat"]["volumes"]
    assert f"shopchat-home:{home}" in services["index"]["volumes"]  # the job writes, replicas read


def test_the_image_installs_what_pyproject_asks_for() -> None:
    text = DOCKERFILE.read_text()
    python = re.search(r"^ARG PYTHON=(\S+)", text, re.M).group(1)  # type: ignore[union-attr]
    assert PYPROJECT["project"]["requires-python"] == f">={python}"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == f"py{python.replace('.', '')}"
    assert all(line.split()[1].startswith("python:${PYTHON}-")
               for line in text.splitlines() if line.startswith("FROM "))
    assert re.search(r"^RUN pip install \.", text, re.M)
    (torch,) = [d for d in PYPROJECT["project"]["dependencies"] if d.startswith("torch")]
    assert f"--index-url https://download.pytorch.org/whl/cpu {torch}" in text
    assert "-DGGML_NATIVE=OFF" in text  # llama-cpp-python builds portably, as `make install`
    packages = [p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]
                ["include"]]
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    for needed in [*packages, "pyproject.toml", PYPROJECT["project"]["readme"]]:
        assert re.search(rf"^COPY .*\b{re.escape(needed)}\b", text, re.M), needed
        assert f"!{needed}" in ignore, needed


def test_the_deploy_doc_explains_every_setting(services: dict[str, dict[str, Any]]) -> None:
    doc = DEPLOY_DOC.read_text()
    used = {k for _, k, _ in shopchat_variables(services) if k.startswith(ENV_PREFIX)}
    missing = sorted(k for k in used if f"`{k}`" not in doc)
    assert not missing, f"docs/DEPLOY.md does not describe {missing}"
    named = set(SETTING.findall(doc))
    unknown = sorted(k for k in named if k.removeprefix(ENV_PREFIX).lower()
                     not in Settings.model_fields)
    assert not unknown, f"docs/DEPLOY.md names settings that do not exist: {unknown}"


def compose_command() -> list[str] | None:
    """``docker compose`` (the v2 plugin) or a v2 ``docker-compose``; None when neither."""
    candidates = [["docker", "compose"], ["docker-compose"]]
    for command in candidates:
        if shutil.which(command[0]) is None:
            continue
        done = subprocess.run([*command, "version", "--short"], capture_output=True, text=True,
                              timeout=30, check=False)
        if done.returncode == 0 and re.match(r"v?2\.", done.stdout.strip()):
            return command
    return None


def test_docker_compose_accepts_it(tmp_path: Path) -> None:
    """Compose's own validation, with the example env files standing in for the real ones."""
    command = compose_command()
    if command is None:
        pytest.skip("no Compose v2 here (docker compose plugin or docker-compose v2)")
    for path in DEPLOY.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name.removesuffix(".example"))
    base = [*command, "--project-directory", str(tmp_path), "-f", str(tmp_path / COMPOSE.name)]
    env = {"PATH": os.environ["PATH"], "REPLICAS": "3"}
    done = subprocess.run([*base, "--profile", "index", "config", "--format", "json"],
                          capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr
    resolved = json.loads(done.stdout)
    assert set(resolved["services"]) == SERVICES
    assert resolved["services"]["shopchat"]["deploy"]["replicas"] == 3
    assert resolved["services"]["shopchat"]["environment"]["SHOPCHAT_API_KEYS"] == "CHANGE_ME"
    (tmp_path / "shopchat.env").unlink()  # the real env file is required
    done = subprocess.run([*base, "config", "--quiet"], capture_output=True, text=True,
                          timeout=60, env=env, check=False)
    assert done.returncode != 0 and "shopchat.env" in done.stderr
