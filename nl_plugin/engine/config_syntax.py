"""Names the file and line of a syntax error in a config or its ``_base_``
files (MMEngine reports ``<unknown>`` as the file)."""
import ast
import os.path as osp
from typing import List, Optional


def _base_files(tree: ast.Module, path: str) -> List[str]:
    """Local ``_base_`` files of a parsed config (``pkg::`` bases skipped)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_'
                for t in node.targets):
            try:
                bases = ast.literal_eval(node.value)
            except ValueError:
                return []
            bases = [bases] if isinstance(bases, str) else list(bases)
            return [
                osp.join(osp.dirname(path), base) for base in bases
                if isinstance(base, str) and '::' not in base
            ]
    return []


def syntax_error(path: str) -> Optional[str]:
    """``'file:line: message'`` (and the offending line) for the first syntax
    error in ``path`` or, depth first, its local ``_base_`` files."""
    return _first_error(path, set())


def _first_error(path: str, seen: set) -> Optional[str]:
    path = osp.abspath(path)
    if path in seen or not osp.isfile(path):
        return None
    seen.add(path)
    with open(path, encoding='utf-8') as f:
        source = f.read()
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as error:
        text = (error.text or '').strip()
        return (f'{path}:{error.lineno}: syntax error: {error.msg}' +
                (f'\n    {text}' if text else ''))
    for base in _base_files(tree, path):
        found = _first_error(base, seen)
        if found:
            return found
    return None
