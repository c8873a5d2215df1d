"""Tests a checkpoint on a config's test set with MMEngine's Runner.

Usage:
    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR]
        [--dump RESULTS.pkl] [--metrics-out METRICS.json] [--allow-partial]
        [--cfg-options KEY=VALUE ...] [--new-cfg-options KEY=VALUE ...]
        [--launcher none|pytorch|slurm]

A checkpoint whose keys do not fit the model (another architecture, weights
missing) is refused with what is missing / unexpected, unless
``--allow-partial``. Prints the metrics as one JSON line at the end
(``metrics: {...}``).
"""
import argparse
import json
import os
import sys

from mmengine.dist import is_main_process
from mmengine.runner import Runner

from nl_plugin.compat import install_stack_fixes
from nl_plugin.engine import (ConfigError, add_allow_partial,
                              add_runner_arguments, check_checkpoint_fits,
                              check_config, load_config, parse_runner_args,
                              set_work_dir, setup_distributed)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='where logs go '
        '(default: work_dirs/<config name>)')
    parser.add_argument(
        '--dump',
        metavar='FILE',
        help='also save the raw predictions to FILE (.pkl)')
    parser.add_argument(
        '--metrics-out',
        metavar='FILE',
        help='also write the metrics to FILE (.json)')
    add_allow_partial(parser)
    add_runner_arguments(parser, cfg_example='test_dataloader.batch_size=1')
    return parse_runner_args(parser, argv)


def _add_dump(cfg, path: str) -> None:
    evaluators = cfg.test_evaluator
    evaluators = list(evaluators) if isinstance(evaluators,
                                                (list,
                                                 tuple)) else [evaluators]
    cfg.test_evaluator = evaluators + [
        dict(type='DumpResults', out_file_path=path)
    ]


def build_runner(args: argparse.Namespace) -> Runner:
    """The Runner of this test, after every check passed."""
    cfg = load_config(args.config, args.cfg_options, args.new_cfg_options)
    set_work_dir(cfg, args.work_dir, args.config)
    cfg.load_from = args.checkpoint
    cfg.launcher = args.launcher
    if args.dump:
        _add_dump(cfg, args.dump)
    check_config(cfg, 'test', allow_partial=args.allow_partial)
    setup_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    # again on the real model: the meta-device build may not have been
    # possible
    check_checkpoint_fits(runner.model, args.checkpoint, args.allow_partial,
                          'load_from')
    return runner


def main(argv=None) -> dict:
    args = parse_args(argv)
    install_stack_fixes()
    try:
        runner = build_runner(args)
    except ConfigError as error:
        sys.exit(f'{os.path.basename(__file__)}: {args.config}: {error}')
    metrics = runner.test()
    if is_main_process():
        line = json.dumps({
            k: float(v) if hasattr(v, '__float__') else v
            for k, v in metrics.items()
        })
        print(f'metrics: {line}', flush=True)
        if args.metrics_out:
            with open(args.metrics_out, 'w', encoding='utf-8') as f:
                f.write(line + '\n')
    return metrics


if __name__ == '__main__':
    main()
