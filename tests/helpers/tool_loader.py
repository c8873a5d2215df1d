"""Imports a script of tools/ as a module, so tests can call its functions."""
import importlib.util
import os

from project_paths import ROOT


def load_tool(relative_path: str):
    """``load_tool('analysis/benchmark_pipeline.py')`` -> the module of
    tools/<path>."""
    path = os.path.join(ROOT, 'tools', relative_path)
    name = 'tool_' + os.path.splitext(relative_path)[0].replace('/', '_')
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
