"""shopchat: conversational product search. This package holds the shared contract and the CLI."""

__version__ = "0.1.0"
