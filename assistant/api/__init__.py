"""The HTTP API for storefronts, served with the chat page (``assistant.api.app``).

``/api/v1/ask``, ``/api/v1/ask/stream``, ``/api/v1/events``, ``DELETE /api/v1/users/{id}``,
``/healthz``, ``/readyz``; OpenAPI at ``/docs``. Keys and shopper tokens: ``assistant.api.auth``.
Importing this package is light: FastAPI loads with ``assistant.api.app``.
"""
