"""Running the ``shopchat`` CLI in-process from tests."""

from __future__ import annotations

from typer.testing import CliRunner

from shopchat.cli.main import app


def invoke(*args: str) -> str:
    """Run ``shopchat ARGS``; fail the test with its output unless it exits 0."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output
