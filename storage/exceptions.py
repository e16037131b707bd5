"""Errors raised by the storage layer."""


class StorageError(Exception):
    """Root of storage errors."""


class DatabaseUnavailableError(StorageError):
    """The database cannot be reached or its schema is not at the expected revision."""
