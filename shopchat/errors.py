"""The project's small exception hierarchy: catch ``ShopchatError`` to handle any of them."""


class ShopchatError(Exception):
    """Root of every error shopchat raises on purpose."""


class ConfigError(ShopchatError):
    """A setting is missing or invalid."""


class InputError(ShopchatError):
    """A caller passed an invalid argument (a user id, a session id, a message)."""


class DataError(ShopchatError):
    """A data set is missing, unreadable, or fails its checksum."""


class IndexNotBuiltError(ShopchatError):
    """A search was asked of a catalog whose index has not been built yet."""


class StoreError(ShopchatError):
    """The vector store (ChromaDB) could not be reached or answered with an error."""
