"""MMAction2's ``VideoDataset`` with a checked annotation list, that can skip
unreadable videos during training and counts the skips across workers."""
from mmaction.datasets import VideoDataset
from mmaction.registry import DATASETS

from .annotation_list import AnnotationError, annotation_list_errors, summarise
from .skip_unreadable import SkipUnreadableMixin


@DATASETS.register_module()
class RobustVideoDataset(SkipUnreadableMixin, VideoDataset):
    """``VideoDataset`` whose bad annotation lines fail at construction and
    whose training runs survive unreadable videos.

    When the data set is built, every line of ``ann_file`` is checked (see
    :mod:`.annotation_list`): separators, label count, integer labels in
    ``0..num_classes - 1`` (when ``num_classes`` is given) and that the video
    exists (missing videos are allowed with ``skip_unreadable=True``); an
    :class:`AnnotationError` lists the bad lines as ``file:line``. Skipping:
    see :class:`SkipUnreadableMixin`.

    Args:
        skip_unreadable (bool): Skip unreadable videos; training only. Default
            False.
        **kwargs: Arguments of MMAction2's ``VideoDataset`` (``ann_file``,
            ``pipeline``, ``data_prefix``, ``num_classes``, ``delimiter``,
            ``test_mode``, ``max_refetch``, ...).
    """

    def load_data_list(self):
        """``VideoDataset``'s list, after every line passed the checks."""
        errors = annotation_list_errors(
            self.ann_file,
            self.delimiter,
            self.multi_class,
            self.num_classes,
            video_prefix=self.data_prefix.get('video'),
            missing_ok=self.skip_unreadable)
        if errors:
            raise AnnotationError(
                f'{len(errors)} bad line(s) in the annotation list '
                f'{self.ann_file!r}:\n  {summarise(errors)}')
        return super().load_data_list()
