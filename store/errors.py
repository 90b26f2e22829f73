"""The one error family the store raises: each carries a sentence fit to show a user."""


class StoreError(Exception):
    """Something the user must be told about, in one sentence; no traceback."""


class StaleError(StoreError):
    """The action changed elsewhere since it was read; the change was not written."""


class RefusedError(StoreError):
    """A shared server refused the change: the login holds none of the action's owner roles."""


REFUSED = ("the server refused: your login may change only the actions of the owner roles it holds "
           "(the region's lead grants them with `actiontrack logins add`); nothing was written")


class NotFoundError(StoreError):
    """No action, plan or owner answers to what was asked for."""


class DatabaseProblem(StoreError):
    """The database file failed under a command: damaged, locked, unwritable, gone. Nothing was saved."""


class ReadOnlyError(DatabaseProblem):
    """The database may be read but not written; the message says why."""


class BusyError(DatabaseProblem):
    """Another program held the database's write lock for longer than the busy timeout."""


class DamagedError(DatabaseProblem):
    """The database file is not SQLite, or SQLite found it damaged."""
