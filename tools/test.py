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

from mmengine.dist import is_main_process

from nl_plugin.engine import (add_allow_partial, add_runner_arguments,
                              check_checkpoint_fits, parse_runner_args,
                              runner_or_exit)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
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


def configure(cfg, args: argparse.Namespace) -> None:
    """This tool's own options: the checkpoint and ``--dump``."""
    cfg.load_from = args.checkpoint
    if args.dump:
        _add_dump(cfg, args.dump)


def check_fit(runner, args: argparse.Namespace) -> None:
    """The checkpoint against the real model too: the pre-run check's
    meta-device build may not have been possible."""
    check_checkpoint_fits(runner.model, args.checkpoint, args.allow_partial,
                          'load_from')


def main(argv=None) -> dict:
    args = parse_args(argv)
    runner = runner_or_exit(__file__, args, 'test',
                            lambda cfg: configure(cfg, args),
                            lambda runner: check_fit(runner, args))
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
