"""The one error family the store raises: each carries a sentence fit to show a user."""


class StoreError(Exception):
    """Something the user must be told about, in one sentence; no traceback."""


class StaleError(StoreError):
    """The action changed elsewhere since it was read; the change was not written."""


class NotFoundError(StoreError):
    """No action, plan or owner answers to what was asked for."""
