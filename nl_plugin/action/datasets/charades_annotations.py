"""Reading the Charades release as it comes: ``Charades_v1_classes.txt`` and
``Charades_v1_train.csv`` / ``Charades_v1_test.csv``.

The CSVs have the columns ``id, subject, scene, quality, relevance, verified,
script, objects, descriptions, actions, length``; ``actions`` is a
``;``-separated list of ``cXXX start_s end_s`` (empty for a video without
actions) and ``length`` the video's duration in seconds. Only ``id``,
``actions`` and ``length`` are read. A row that cannot be read is returned as
an :class:`AnnotationProblem` with its line number, never as a video with
fewer (or no) labels.
"""
import csv
import math
import re
from typing import Dict, List, NamedTuple, Sequence, Tuple

REQUIRED_COLUMNS = ('id', 'actions', 'length')
_CLASS_ID = re.compile(r'c\d{3}')
_VIDEO_ID = re.compile(r'[A-Za-z0-9_-]+')


class Action(NamedTuple):
    """One annotated action: class index, start and end in seconds."""
    label: int
    start: float
    end: float


class CharadesVideo(NamedTuple):
    """One well-formed CSV row."""
    video_id: str
    actions: Tuple[Action, ...]
    length: float
    line: int  # first line of the row in the CSV (the header is line 1)


class AnnotationProblem(NamedTuple):
    """A row that was skipped, and why."""
    line: int
    reason: str


def read_classes(path: str) -> List[Tuple[str, str]]:
    """``[(class id, name), ...]`` of ``Charades_v1_classes.txt``, in file
    order (line ``c000 Holding some clothes``: id ``c000``).

    Raises:
        ValueError: A line that is not ``cXXX name``, or a repeated id; the
            message names the file and the line.
    """
    classes, seen = [], set()
    with open(path, encoding='utf-8') as f:
        for number, text in enumerate(f, start=1):
            text = text.strip()
            if not text:
                continue
            class_id, _, name = text.partition(' ')
            if not _CLASS_ID.fullmatch(class_id) or not name.strip():
                raise ValueError(
                    f'{path} line {number}: expected "cXXX <name>", got '
                    f'{text!r}')
            if class_id in seen:
                raise ValueError(
                    f'{path} line {number}: class {class_id} repeated')
            seen.add(class_id)
            classes.append((class_id, name.strip()))
    if not classes:
        raise ValueError(f'{path}: no classes')
    return classes


def parse_actions(text: str, class_index: Dict[str,
                                               int]) -> Tuple[Action, ...]:
    """The ``actions`` field as :class:`Action` tuples.

    Args:
        text (str): ``'c092 11.90 21.20;c147 0.00 12.60'``, or empty.
        class_index (dict): Class id -> index.

    Raises:
        ValueError: An entry that is not ``cXXX start end``, an unknown class,
            a negative or non-finite time, or ``end < start``.
    """
    actions = []
    for entry in filter(None, (e.strip() for e in text.split(';'))):
        parts = entry.split()
        if len(parts) != 3:
            raise ValueError(f'action {entry!r} is not "cXXX start_s end_s"')
        class_id, start, end = parts[0], _seconds(parts[1], entry), _seconds(
            parts[2], entry)
        if class_id not in class_index:
            raise ValueError(
                f'action {entry!r}: class {class_id!r} is not in the class '
                'list')
        if end < start:
            raise ValueError(f'action {entry!r} ends before it starts')
        actions.append(Action(class_index[class_id], start, end))
    return tuple(actions)


def _seconds(text: str, entry: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f'action {entry!r}: {text!r} is not a time in seconds') from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f'action {entry!r}: time {text!r} is not a '
                         'non-negative number')
    return value


def _video(row: dict, line: int, class_index: Dict[str, int],
           num_fields: int) -> CharadesVideo:
    """One CSV row as a video; raises ValueError with the reason."""
    if None in row:
        raise ValueError(f'{num_fields + len(row[None])} fields, the header '
                         f'has {num_fields}')
    if any(row[c] is None for c in REQUIRED_COLUMNS):
        raise ValueError(f'too few fields, the header has {num_fields}')
    video_id = row['id'].strip()
    if not _VIDEO_ID.fullmatch(video_id):
        raise ValueError(f'id {row["id"]!r} is not a video id')
    try:
        length = float(row['length'])
    except ValueError:
        raise ValueError(f'length {row["length"]!r} is not a number') from None
    if not math.isfinite(length) or length < 0:
        raise ValueError(f'length {row["length"]!r} is not a non-negative '
                         'number')
    return CharadesVideo(video_id, parse_actions(row['actions'], class_index),
                         length, line)


def read_charades_csv(
    path: str, class_ids: Sequence[str]
) -> Tuple[List[CharadesVideo], List[AnnotationProblem]]:
    """The well-formed rows of a Charades CSV, and the problems of the others.

    Args:
        path (str): ``Charades_v1_train.csv`` or ``Charades_v1_test.csv``.
        class_ids (Sequence[str]): Class ids in label order (from
            :func:`read_classes`).

    Returns:
        tuple: ``(videos, problems)``; a problem names the line the row starts
        on. A repeated id is a problem of its second row.

    Raises:
        ValueError: The header lacks one of :data:`REQUIRED_COLUMNS`.
    """
    class_index = {c: i for i, c in enumerate(class_ids)}
    videos, problems, seen = [], [], set()
    with open(path, encoding='utf-8', newline='') as f:
        reader = csv.DictReader(f)
        missing = [
            c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or ())
        ]
        if missing:
            raise ValueError(
                f'{path}: the header lacks the column(s) {missing}; a '
                f'Charades CSV has {list(REQUIRED_COLUMNS)} among its columns')
        num_fields, end_line = len(reader.fieldnames), reader.line_num
        for row in reader:
            line, end_line = end_line + 1, reader.line_num
            try:
                video = _video(row, line, class_index, num_fields)
            except ValueError as err:
                problems.append(AnnotationProblem(line, str(err)))
                continue
            if video.video_id in seen:
                problems.append(
                    AnnotationProblem(line, f'id {video.video_id} repeated'))
                continue
            seen.add(video.video_id)
            videos.append(video)
    return videos, problems
