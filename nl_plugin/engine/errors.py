"""The error raised for config values that would make a run fail."""


class ConfigError(ValueError):
    """One or more config values are wrong; the message names every key.

    Raised by the checks of :mod:`nl_plugin.engine` before the Runner is built,
    so that a typo does not surface hours into a run or deep in a traceback.
    """


class CheckpointError(ConfigError):
    """A checkpoint file cannot be read, or its keys do not fit the model.

    The message names the file (and the option or config key that gave it)
    and what is wrong: empty, truncated, missing / unexpected keys.
    """
