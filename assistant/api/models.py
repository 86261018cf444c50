"""The HTTP API's request and response bodies. Answers and stream events are the Python API's
own models (``assistant.answer``): one shape however the assistant is reached."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from assistant.answer import Answer, AnswerEvent, CandidatesEvent, ReasonsEvent

__all__ = ["Answer", "AnswerEvent", "AskRequest", "CandidatesEvent", "ComponentStatus",
           "ErrorBody", "EventRecorded", "EventRequest", "Forgotten", "ForgottenCatalog",
           "Health", "Readiness", "ReasonsEvent"]

EventName = Literal["like", "dislike", "click", "cart", "purchase"]

USER_ID = Field(description="The shopper's id in your store (1-128 printable characters, no "
                            "path separators). A shopper token may act only as its own user.",
                examples=["17850"])
CATALOG = Field(default=None, description="The catalog to search (default: the server's "
                                          "default catalog). Unknown: 404.",
                examples=["icecat"])


class AskRequest(BaseModel):
    """One conversation turn."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    user_id: str = USER_ID
    message: str = Field(validation_alias=AliasChoices("message", "query"),
                         description="What the shopper typed (``query`` is accepted too).",
                         examples=["wireless mouse under $30"])
    session_id: str | None = Field(
        default=None, description="The conversation to continue: the ``session_id`` of an "
                                  "earlier answer. Omitted: a new conversation. A session of "
                                  "another shopper is refused (400).")
    catalog: str | None = CATALOG


class EventRequest(BaseModel):
    """Something the shopper did with an item: their next answer already reflects it."""

    model_config = ConfigDict(extra="forbid")

    user_id: str = USER_ID
    item_id: str = Field(description="The item's id in the catalog.", examples=["1234567"])
    event: EventName = Field(description="like, dislike, click, cart or purchase.")
    catalog: str | None = CATALOG


class EventRecorded(BaseModel):
    user_id: str
    item_id: str
    event: EventName
    catalog: str
    events: int = Field(description="The shopper's events in this catalog's profile now.")


class ForgottenCatalog(BaseModel):
    catalog: str
    events: int = Field(description="Events deleted.")
    profile: bool = Field(description="Whether a stored profile was deleted.")


class Forgotten(BaseModel):
    """What ``DELETE /api/v1/users/{user_id}`` removed: conversations, events and profiles."""

    user_id: str
    conversations: int = Field(default=0, description="Conversations deleted (all catalogs).")
    catalogs: list[ForgottenCatalog]


class ErrorBody(BaseModel):
    error: str = Field(description="What went wrong, in words.")


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class ComponentStatus(BaseModel):
    ok: bool
    detail: str = Field(description="What answered, or why it did not (with an API key); "
                                    "without one only ``ok`` or ``failed``.")
    reason: str | None = Field(default=None, description="Why it failed, as a class: "
                                                         "``timeout`` or the error's type.")


class Readiness(BaseModel):
    status: Literal["ready", "unavailable"]
    components: dict[str, ComponentStatus] = Field(
        description="``chroma``, ``database`` and ``llm``; each reachable or not, and why.")
    failing: list[str] = Field(default_factory=list,
                               description="The components that are not reachable.")
