"""Checks of MMAction2 video annotation lists, line by line.

MMAction2's ``VideoDataset`` reads ``path<delimiter>label`` lines (more
labels with ``multi_class``) without checking them: a line with a tab, two
spaces or no label becomes label -1 or fails later with an unpacking error, a
negative label is scored as another class, and a label >= ``num_classes``
crashes training at a random iteration. :func:`annotation_list_errors` finds
every such line first, naming the file and the line number.
"""
import os.path as osp
import re
from typing import List, Optional

_INT = re.compile(r'[+-]?\d+')


class AnnotationError(ValueError):
    """An annotation list has bad lines; the message lists them as
    ``file:line: problem``."""


def _fields_problem(line: str, fields: List[str], delimiter: str,
                    multi_class: bool) -> Optional[str]:
    if not line.strip():
        return 'empty line'
    if '' in fields:
        return f'empty field: two delimiters {delimiter!r} in a row'
    hint = (f' (a tab in the line: the delimiter is {delimiter!r})'
            if '\t' in line and delimiter != '\t' else '')
    if len(fields) < 2:
        return f'no label: expected path{delimiter}label{hint}'
    if len(fields) > 2 and not multi_class:
        return (f'{len(fields)} fields, expected 2 (path{delimiter}label; '
                f'multi_class=False){hint}')
    return None


def _label_problem(labels: List[str],
                   num_classes: Optional[int]) -> Optional[str]:
    for text in labels:
        if not _INT.fullmatch(text):
            return f'label {text!r} is not an integer'
        label = int(text)
        if label < 0 or (num_classes is not None and label >= num_classes):
            allowed = (f'0..{num_classes - 1} (num_classes={num_classes})'
                       if num_classes is not None else '>= 0')
            return f'label {label} is outside {allowed}'
    return None


def line_problem(line: str,
                 delimiter: str = ' ',
                 multi_class: bool = False,
                 num_classes: Optional[int] = None) -> Optional[str]:
    """What is wrong with one annotation line, read as MMAction2's
    ``VideoDataset`` reads it, or ``None``."""
    fields = line.strip().split(delimiter)
    return _fields_problem(line, fields, delimiter,
                           multi_class) or _label_problem(
                               fields[1:], num_classes)


def annotation_list_errors(ann_file: str,
                           delimiter: str = ' ',
                           multi_class: bool = False,
                           num_classes: Optional[int] = None,
                           video_prefix: Optional[str] = None,
                           missing_ok: bool = False) -> List[str]:
    """``file:line: problem`` for every bad line of ``ann_file``.

    Args:
        ann_file (str): The list, one video per line.
        delimiter (str): ``VideoDataset``'s ``delimiter`` (default ``' '``).
        multi_class (bool): Several labels per line allowed.
        num_classes (int, optional): Labels must be below it.
        video_prefix (str, optional): ``data_prefix['video']``: where the
            paths are; when given, each video file must exist.
        missing_ok (bool): Accept missing videos (a data set that skips
            unreadable videos).
    """
    errors = []
    with open(ann_file, encoding='utf-8') as f:
        lines = f.read().splitlines()
    for number, line in enumerate(lines, 1):
        problem = line_problem(line, delimiter, multi_class, num_classes)
        path = osp.join(video_prefix or '', line.strip().split(delimiter)[0])
        if problem is None and video_prefix is not None and \
                not missing_ok and not osp.isfile(path):
            problem = f'video {path!r} does not exist'
        if problem is not None:
            errors.append(f'{ann_file}:{number}: {problem}: {line!r}')
    return errors


def summarise(errors: List[str], limit: int = 10, indent: str = '  ') -> str:
    """The first ``limit`` errors, one per line (lines after the first
    indented by ``indent``), and how many more."""
    more = len(errors) - limit
    return f'\n{indent}'.join(errors[:limit] +
                              ([f'... and {more} more'] if more > 0 else []))
