"""MMAction2's ``DecordInit`` with failures turned into :class:`VideoReadError`."""
from mmaction.datasets.transforms import DecordInit
from mmengine.registry import TRANSFORMS

from ..video_errors import VideoReadError


@TRANSFORMS.register_module()
class CheckedDecordInit(DecordInit):
    """Opens a video with decord (upstream ``DecordInit``) and checks it.

    A missing file, an empty or truncated file, a file decord cannot parse, and a
    video with zero frames all raise :class:`VideoReadError` naming the file, instead
    of decord's messages, which name a byte count rather than the file.

    Required keys: ``filename``. Added keys: ``video_reader``, ``total_frames``,
    ``avg_fps``.

    Args:
        io_backend (str): File backend, as upstream. Default ``'disk'``.
        num_threads (int): Decoding threads of decord. Default 1.
        **kwargs: Further file-client arguments, as upstream.
    """

    def transform(self, results: dict) -> dict:
        filename = results['filename']
        try:
            results = super().transform(results)
        except FileNotFoundError as err:
            raise VideoReadError(filename, 'file not found') from err
        except Exception as err:  # decord raises RuntimeError or its DECORDError
            raise VideoReadError(
                filename, f'decord cannot open it (empty, truncated or not a video): '
                f'{type(err).__name__}: {_first_line(err)}') from err
        if results['total_frames'] < 1:
            results['video_reader'] = None
            raise VideoReadError(filename, 'the container holds no frames')
        return results


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else ''
