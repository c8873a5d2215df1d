"""Trains a model from a config with MMEngine's Runner.

Usage:
    python tools/train.py CONFIG [--work-dir DIR] [--resume [CHECKPOINT]]
        [--amp] [--cfg-options KEY=VALUE ...] [--new-cfg-options KEY=VALUE ...]
        [--launcher none|pytorch|slurm]

Works for the recognition configs (MMAction2 scope) and the detection configs
(MMDetection scope) alike; without a GPU, distributed runs use ``gloo`` on CPU.
The config is checked before the Runner is built (see
:mod:`nl_plugin.engine.validate`): problems fail first, each named by its
config key. Checkpoints are written atomically (``AtomicCheckpointHook``); how
``load_from`` fits the model is logged before training starts.
"""
import argparse

from nl_plugin.engine import (add_runner_arguments, log_checkpoint_fit,
                              parse_runner_args, runner_or_exit, set_amp,
                              set_resume, use_atomic_checkpoints)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--work-dir',
        help='where logs and checkpoints go '
        '(default: work_dirs/<config name>)')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        default=None,
        metavar='CHECKPOINT',
        help='resume from CHECKPOINT, or without a value from the '
        'latest checkpoint of the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision (GPU only)')
    add_runner_arguments(parser, cfg_example='train_cfg.max_iters=100')
    return parse_runner_args(parser, argv)


def configure(cfg, args: argparse.Namespace) -> None:
    """This tool's own options (``--resume``, ``--amp``) and atomic
    checkpoint writes."""
    set_resume(cfg, args.resume)
    set_amp(cfg, args.amp)
    use_atomic_checkpoints(cfg)


def report_load_from(runner) -> None:
    """Logs how ``load_from`` fits the model before training starts."""
    cfg = runner.cfg
    if cfg.get('load_from') and not cfg.get('resume'):
        log_checkpoint_fit(runner.model, cfg.load_from, runner.logger)


def main(argv=None) -> None:
    args = parse_args(argv)
    runner = runner_or_exit(__file__, args, 'train',
                            lambda cfg: configure(cfg, args), report_load_from)
    runner.train()


if __name__ == '__main__':
    main()
