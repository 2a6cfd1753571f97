"""Errors the CLI turns into one line and exit status 2.

Its own module so that `python -m bot.cli` (where bot.cli runs as __main__) and the command
modules (which import bot.cli) share one class.
"""


class UsageError(Exception):
    """Bad input from the command line: printed as one line naming the field, exit status 2."""
