"""The Runner of ``tools/train.py`` and ``tools/test.py``, after every
check."""
import argparse
import os.path as osp
import sys
from typing import Callable, Optional

from mmengine.config import Config
from mmengine.runner import Runner

from ..compat import install_stack_fixes
from .errors import ConfigError
from .launch import setup_distributed
from .run_config import load_config, set_work_dir
from .validate import check_config


def build_runner(
        args: argparse.Namespace,
        mode: str,
        configure: Callable[[Config], None],
        after_build: Optional[Callable[[Runner], None]] = None) -> Runner:
    """The Runner of ``args.config`` once every check passed.

    Loads the config with ``--cfg-options`` (``--new-cfg-options`` for keys
    the config does not have yet), sets the work dir, lets the tool apply its
    own options (``configure(cfg)``), sets the launcher, checks the config for
    ``mode`` (``'train'`` or ``'test'``; ``--allow-partial`` where the tool
    has it), sets up the process group where needed, builds the Runner and
    hands it to ``after_build``.

    Raises:
        ConfigError: listing every problem by config key.
    """
    cfg = load_config(args.config, args.cfg_options, args.new_cfg_options)
    set_work_dir(cfg, args.work_dir, args.config)
    configure(cfg)
    cfg.launcher = args.launcher
    check_config(cfg, mode, getattr(args, 'allow_partial', False))
    setup_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    if after_build is not None:
        after_build(runner)
    return runner


def runner_or_exit(
        tool: str,
        args: argparse.Namespace,
        mode: str,
        configure: Callable[[Config], None],
        after_build: Optional[Callable[[Runner], None]] = None) -> Runner:
    """:func:`build_runner` with the stack fixes installed; a
    :class:`ConfigError` ends the program with its message, prefixed by the
    tool's and the config's names."""
    install_stack_fixes()
    try:
        return build_runner(args, mode, configure, after_build)
    except ConfigError as error:
        sys.exit(f'{osp.basename(tool)}: {args.config}: {error}')
