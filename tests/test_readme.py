"""The README's Python example runs as written (data dir and home pointed at test folders)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"


def test_readme_python_example_runs(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python example"
    code = (
        blocks[0]
        .replace('"../shared/data"', repr(str(data_dir)))
        .replace('home=".shopchat"', f"home={str(tmp_path / 'home')!r}")
    )
    exec(compile(code, str(README), "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed and all(line.split()[0].isdigit() for line in printed)
