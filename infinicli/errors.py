"""Errors the user can act on. Each message is one sentence; the CLI prints it and exits 2."""


class InfiniError(Exception):
    """A usage or input error: the message is shown to the user as it is."""

    exit_code = 2


class ModelError(InfiniError):
    """A model that cannot be found, fetched, loaded or is not supported."""


class Interrupted(BaseException):
    """Ctrl-C. Not an Exception, so no `except Exception` on its way up (a model load, a PDF parse)
    can catch it and call it another error; not KeyboardInterrupt, so click does not turn it into
    "Aborted!". Its message is what the user is told (a batch says what it kept)."""
