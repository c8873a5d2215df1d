"""The error raised for config values that would make a run fail."""


class ConfigError(ValueError):
    """One or more config values are wrong; the message names every key.

    Raised by the checks of :mod:`nl_plugin.engine` before the Runner is built,
    so that a typo does not surface hours into a run or deep in a traceback.
    """
