"""Every ```python block in README.md and docs/*.md runs as written.

The blocks run in-process in the environment a reader has after ``make demo``, made small:
``SHOPCHAT_HOME`` holds an index of dummyjson (194 products, its carts as shoppers' history),
``SHOPCHAT_DEFAULT_CATALOG`` names it, ``SHOPCHAT_LLM_BACKEND=none`` keeps turns instant (the
model's own tests live in tests/assistant). The substitutions: a block that talks to the
chat page at http://127.0.0.1:7860 gets a real page launched on a free port instead, and a block
that builds a ``ChatOpenAI`` from the settings gets the repo's fake OpenAI-compatible server as
``SHOPCHAT_LLM_URL`` (tests/retrieval/test_langchain_lcel.py runs the README chain on vLLM).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import assistant
from assistant import Assistant
from retrieval import build_index
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.profiles import index_users
from shopchat.records import Catalog
from shopchat.settings import Settings, get_settings
from tests.assistant.llm.fake_openai_server import FakeOpenAIServer

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
PAGE_URL = "http://127.0.0.1:7860"


def fenced_blocks() -> Iterator[tuple[Path, int, str, str]]:
    """(file, first code line, language, code) for every fenced block in the docs."""
    for path in DOCS:
        text = path.read_text()
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            yield path, line, match.group(1), match.group(2)


PYTHON = [
    pytest.param(path, line, code, id=f"{path.relative_to(ROOT)}:{line}")
    for path, line, lang, code in fenced_blocks()
    if lang == "python"
]


def test_docs_have_python_blocks() -> None:
    files = {path.name for path, _, lang, _ in fenced_blocks() if lang == "python"}
    assert {"README.md", "ARCHITECTURE.md", "CONFIG.md"} <= files


def test_no_python_hides_in_other_fences() -> None:
    """Python fenced as ``text`` (or bare) would go untested: every such block is python."""
    hidden = [
        f"{path.relative_to(ROOT)}:{line}"
        for path, line, lang, code in fenced_blocks()
        if lang != "python" and re.search(r"^(from \w[\w.]* import |import \w)", code, re.M)
    ]
    assert not hidden, f"Python code outside ```python fences: {hidden}"


@pytest.fixture(scope="session")
def docs_home(
    dummy_catalog: Catalog,
    embedder: SentenceTransformerEmbedder,
    data_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """A SHOPCHAT_HOME with dummyjson indexed: products, then its carts as user profiles."""
    home = tmp_path_factory.mktemp("docs-home")
    settings = Settings(home=home, data_dir=data_dir)
    build_index(dummy_catalog, settings, embedder=embedder, progress=False)
    index_users(dummy_catalog, settings, embedder=embedder, progress=False)
    return home


@pytest.fixture
def reader_env(
    docs_home: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The environment the docs assume, in a scratch working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHOPCHAT_HOME", str(docs_home))
    monkeypatch.setenv("SHOPCHAT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SHOPCHAT_DEFAULT_CATALOG", "dummyjson")
    monkeypatch.setenv("SHOPCHAT_LLM_BACKEND", "none")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    monkeypatch.delenv("SHOPCHAT_CHROMA_URL", raising=False)
    monkeypatch.setattr(assistant, "_default", None)  # ask() builds its Assistant from this env
    get_settings.cache_clear()
    yield
    opened = [assistant._default]
    get_settings.cache_clear()
    close_assistants(opened)


def close_assistants(objects: Any) -> None:
    for obj in objects:
        if isinstance(obj, Assistant) and obj.personaliser is not None:
            obj.personaliser.close()


@pytest.fixture
def chat_page(reader_env: None) -> Iterator[str]:
    """The chat page over the docs home, on a free port; its URL."""
    from assistant.ui import Shop
    from assistant.ui.app import launch_app

    shop = Shop.open(get_settings())
    demo = launch_app(shop, port=None, prevent_thread_lock=True)
    try:
        yield str(demo.local_url).rstrip("/")
    finally:
        demo.close()
        shop.close()


@pytest.fixture
def openai_server(reader_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAIServer]:
    """An OpenAI-compatible server at ``SHOPCHAT_LLM_URL`` (the fake one, answering "ok")."""
    with FakeOpenAIServer() as server:
        monkeypatch.setenv("SHOPCHAT_LLM_URL", server.url("ok"))
        get_settings.cache_clear()
        yield server


@pytest.mark.parametrize(("path", "line", "code"), PYTHON)
def test_python_block_runs(
    path: Path, line: int, code: str, reader_env: None, request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if PAGE_URL in code:
        code = code.replace(PAGE_URL, request.getfixturevalue("chat_page"))
    server = request.getfixturevalue("openai_server") if "ChatOpenAI(" in code else None
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    try:
        # padded so a traceback names the line in the Markdown file
        exec(compile("\n" * (line - 1) + code, str(path), "exec"), namespace)
    finally:
        close_assistants(namespace.values())
    if server is not None:
        assert server.requests, "the block never called the model"
    if "print(" in code:
        assert capsys.readouterr().out.strip(), "the block prints nothing"


LINK = re.compile(r"\]\(([^)\s]+)\)")
REPO_PATH = re.compile(
    r"`((?:catalog|retrieval|assistant|eval|shopchat|tests|scripts|docs|\.ci)/[\w./-]*)`")
CODE = re.compile(r"`[^`\n]*`")


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower-case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", FENCE.sub("", path.read_text()), re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_links_between_docs_resolve() -> None:
    broken = []
    for path in DOCS:
        prose = CODE.sub("", FENCE.sub("", path.read_text()))
        for target in LINK.findall(prose):
            if target.startswith(("http://", "https://")):
                continue
            file, _, anchor = target.partition("#")
            resolved = (path.parent / file).resolve() if file else path
            if not resolved.exists() or (anchor and anchor not in anchors(resolved)):
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert not broken, broken


def test_docs_name_only_files_that_exist() -> None:
    """README and the docs point at modules by path: a module that moves must take its docs
    along."""
    missing = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in DOCS
        for name in REPO_PATH.findall(path.read_text())
        if not (ROOT / name).exists()
    ]
    assert not missing, missing
