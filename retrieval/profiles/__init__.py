"""Personalisation from user behaviour: events, profiles, personalised search, forgetting.

    personaliser = Personaliser.open(searcher, settings)     # events store + users collection
    personaliser.search("u42", "t-light holder", k=10)       # the profile reorders the top 100
    personaliser.recommend("u42", k=20)                       # empty query: from the profile
    personaliser.record("u42", "85123A", "like")              # profile rebuilt now
    personaliser.forget("u42")                                # events + profile deleted

Events live in SQLite (``$SHOPCHAT_HOME/events/<catalog>.sqlite``), profiles in the Chroma
collection ``users-<catalog>``; a profile is only ever read by its own user id.
"""

from __future__ import annotations

from retrieval.profiles.builder import ProfileStats, build_profiles, index_users
from retrieval.profiles.config import EVENT_WEIGHTS, ProfileConfig
from retrieval.profiles.events import EventStore, StoredEvent
from retrieval.profiles.forget import forget_user
from retrieval.profiles.personaliser import ForgetReport, Personaliser
from retrieval.profiles.profile import Profile, build_profile
from retrieval.profiles.store import ProfileStore

__all__ = [
    "EVENT_WEIGHTS",
    "EventStore",
    "ForgetReport",
    "Personaliser",
    "Profile",
    "ProfileConfig",
    "ProfileStats",
    "ProfileStore",
    "StoredEvent",
    "build_profile",
    "build_profiles",
    "forget_user",
    "index_users",
]
