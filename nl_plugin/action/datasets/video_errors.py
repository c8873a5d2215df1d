"""The one error type for a video that cannot be read."""


class VideoReadError(RuntimeError):
    """A video file is missing, empty, truncated or cannot be decoded.

    Raised by the decord transforms of
    :mod:`nl_plugin.action.datasets.transforms` instead of returning
    placeholder (e.g. black) frames. ``RobustVideoDataset`` with
    ``skip_unreadable=True`` catches exactly this type during training.

    Args:
        filename (str): The video that failed.
        reason (str): What went wrong, in words.
    """

    def __init__(self, filename: str, reason: str):
        self.filename = filename
        self.reason = reason
        super().__init__(f"cannot read video '{filename}': {reason}")

    def __reduce__(self):  # picklable across DataLoader worker processes
        return type(self), (self.filename, self.reason)


def failure_reason(what: str, err: Exception) -> str:
    """``what`` failed, with ``err``'s type and the first line of its message
    (decord's messages run over many lines)."""
    lines = str(err).strip().splitlines()
    return f'{what}: {type(err).__name__}: {lines[0] if lines else ""}'
