"""Turns an exception raised while building a config section into one line
that names the config key.

The constructors under way when the error was raised (the ``__init__``
frames of its traceback, outermost first) locate the config node: for each
of their classes in turn, the first node below the previous one whose
``type`` is that class. A message that starts with an argument of that node,
as every nl_plugin message does (``mode must be one of ...``), narrows the
key to the argument. A bare ``assert`` is shown with its source line.
"""
import re
import traceback
from typing import Any, Iterator, List, Optional, Tuple

_WORD = re.compile(r'(\w+)\b')


def _message(error: BaseException) -> str:
    """``str(error)`` without the quotes ``KeyError`` adds."""
    if error.args and isinstance(error.args[0], str):
        return error.args[0]
    return str(error)


def constructors(error: BaseException) -> List[str]:
    """Class names of the objects whose ``__init__`` was running when
    ``error`` was raised, outermost first, without repeats."""
    names = []
    tb = error.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        obj = frame.f_locals.get('self')
        if frame.f_code.co_name == '__init__' and obj is not None:
            name = type(obj).__name__
            if not names or names[-1] != name:
                names.append(name)
        tb = tb.tb_next
    return names


def _type_name(node: dict) -> Optional[str]:
    kind = node.get('type')
    if isinstance(kind, str):
        return kind.rsplit('.', 1)[-1]
    return getattr(kind, '__name__', None)


def _nodes(node: Any, key: str) -> Iterator[Tuple[str, Any]]:
    """``(key, value)`` of ``node`` and everything below it, breadth
    first."""
    queue = [(key, node)]
    while queue:
        key, node = queue.pop(0)
        yield key, node
        if isinstance(node, dict):
            queue += [(f'{key}.{k}', v) for k, v in node.items()]
        elif isinstance(node, (list, tuple)):
            queue += [(f'{key}[{i}]', v) for i, v in enumerate(node)]


def locate(section: Any, key: str, classes: List[str], message: str) -> str:
    """The config key of the failing module and, if the message starts with
    one of its arguments, of that argument."""
    for name in classes:
        for sub_key, node in _nodes(section, key):
            if isinstance(node, dict) and _type_name(node) == name:
                section, key = node, sub_key
                break
    word = _WORD.match(message)
    if word:
        for sub_key, _ in _nodes(section, key):
            if sub_key.endswith(f'.{word.group(1)}'):
                return sub_key
    return key


def describe(error: BaseException) -> Tuple[List[str], str]:
    """The constructors under way and the message of ``error``; for an empty
    message, the exception type and the line that raised it."""
    classes, message = constructors(error), _message(error)
    if message.strip():
        return classes, message
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return classes, (f'{type(error).__name__} at {frame.filename}:'
                     f'{frame.lineno}: {frame.line}')


def build_error(section: Any, key: str, error: BaseException) -> str:
    """``'<config key>: <message>'`` for an error raised building
    ``section`` (the config value at ``key``)."""
    classes, message = describe(error)
    return f'{locate(section, key, classes, message)}: {message}'
