"""Benchmark: a training step of our NL-I3D R50 vs MMAction2's stock NL-I3D
R50, same weights, same run.

Both models are MMAction2's stock config
``i3d_imagenet-pretrained-r50-nl-<mode>_8xb8-32x2x1-100e_kinetics400-rgb``
(Recognizer3D, I3D R50, 5 NL blocks of mmcv's ``NonLocal3d``, 400 classes);
ours only swaps the backbone for ``NLResNet3d``, which loads the same state
dict strictly. The weights are random, with BN statistics and NL output-BN
scales perturbed so that every NL block matters. One step is the stock
config's: ``model.train_step`` with the stock optimizer wrapper (SGD, momentum
0.9, weight decay 1e-4, gradient clipping at norm 40): data preprocessor,
forward, loss, backward, clipping, SGD update. The data: ``--batch``
synthetic clips (moving squares on noise) of ``--frames`` x ``--size`` x
``--size``. ``--with-cp`` adds both models with ``with_cp=True``
(activation checkpointing: upstream checkpoints its residual blocks; ours
also its NL blocks); ``--keep-activations`` adds ours with
``recompute_norm_act=False`` (``ours-keep``: the BN -> ReLU outputs and pool
indices kept for backward, as upstream keeps them).

Times: all models in one process (the same machine state for each), one
warm-up step each, then ``--repeats`` steps of each, alternating, the first
one rotating every repeat; dropout is seeded alike before every step.
Reported: median step time (min-max), the ratio of the stock model's step
time to this one's per repeat (median and range), and peak memory of one step
after a warm-up step, each model in its own process: on CUDA
``torch.cuda.max_memory_allocated``; on the CPU the peak resident memory
during the step above the resident memory before it (weights, gradients and
momentum already allocated), sampled every millisecond, with glibc's mmap
threshold fixed so that resident memory follows the live tensors. Also
printed: the difference of the first step's loss from the stock model's
(same weights, data and dropout masks).

Usage:
    python tools/analysis/benchmark_training.py [--frames 32|128] [--batch 1]
        [--size 224] [--mode embedded_gaussian] [--with-cp]
        [--keep-activations] [--repeats 4]
        [--markdown]
"""
import argparse
import json
import os
import sys
import tempfile
import time

# ours-keep: recompute_norm_act=False (BN -> ReLU outputs kept, as upstream)
IMPLS = ('mmcv', 'ours', 'ours-keep', 'mmcv+cp', 'ours+cp')


def build(impl: str, args):
    from nl_plugin.action.benchmarking import build_model
    name = impl.split('+')[0]
    return build_model(
        name.split('-')[0],
        mode=args.mode,
        base_channels=args.base_channels,
        with_cp=impl.endswith('+cp'),
        recompute_norm_act=name != 'ours-keep')


def make_weights(path: str, args) -> None:
    import torch

    from nl_plugin.action.benchmarking import perturb_weights
    torch.manual_seed(0)
    torch.save(perturb_weights(build('mmcv', args)), path)


def _trainer(impl: str, args):
    """``step(seed) -> (seconds, loss)`` of one implementation, loaded with
    the shared weights."""
    import torch
    from mmengine.optim import build_optim_wrapper

    from nl_plugin.action.benchmarking import clip_batch, model_config
    model = build(impl, args)
    model.load_state_dict(
        torch.load(args.weights, weights_only=True), strict=True)
    model.to(args.device).train()
    optim_wrapper = build_optim_wrapper(
        model,
        model_config(mode=args.mode).optim_wrapper)
    data = clip_batch(args.batch, args.frames, args.size)
    cuda = args.device.startswith('cuda')

    def step(seed: int):
        torch.manual_seed(seed)  # the same dropout masks for every model
        start = time.perf_counter()
        losses = model.train_step(data, optim_wrapper)
        if cuda:
            torch.cuda.synchronize()
        return time.perf_counter() - start, losses['loss'].item()

    return step


def run_times(args) -> None:
    """Child process: every implementation, steps alternating (the first
    one rotating every repeat) after a warm-up step each; a JSON line."""
    import torch
    torch.set_num_threads(args.threads)
    impls = args.impls.split(',')
    steps = {impl: _trainer(impl, args) for impl in impls}
    times = {impl: [] for impl in impls}
    first_loss = {impl: steps[impl](0)[1] for impl in impls}
    for repeat in range(args.repeats):
        shift = repeat % len(impls)
        for impl in impls[shift:] + impls[:shift]:
            times[impl].append(steps[impl](repeat + 1)[0])
    print(json.dumps(dict(times=times, first_loss=first_loss)))


def run_memory(args) -> None:
    """Child process: one implementation's peak memory over one step after a
    warm-up step; a JSON line."""
    import torch

    from nl_plugin.action.benchmarking import PeakRSS
    torch.set_num_threads(args.threads)
    step = _trainer(args.impl, args)
    step(0)
    cuda = args.device.startswith('cuda')
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    with PeakRSS() as rss:
        step(1)
    peak = (
        torch.cuda.max_memory_allocated() / 2**20 if cuda else rss.growth_mb)
    print(json.dumps(dict(peak_mb=peak)))


def spawn(child: list, weights: str, args, heap='default') -> dict:
    cmd = [
        sys.executable, __file__, '--weights', weights, '--device', args.device
    ] + child + [
        f'--{name}={getattr(args, name.replace("-", "_"))}'
        for name in ('frames', 'batch', 'size', 'mode', 'repeats', 'threads',
                     'base-channels')
    ]
    from nl_plugin.action.benchmarking import run_child
    result, proc = run_child(cmd, heap)
    if proc.returncode or result is None:
        raise RuntimeError(f'{child} failed: {proc.stderr[-2000:]}')
    return result


def report(timed: dict, peaks: dict, args) -> None:
    from nl_plugin.action.benchmarking import (print_table, ratio_cell,
                                               time_cell)
    times, losses = timed['times'], timed['first_loss']
    header = ('model', 'frames', 'batch', 'size', 'step s', 'peak MB',
              'stock time / this', 'this peak / stock peak', 'first loss diff')
    rows = [[
        impl,
        str(args.frames),
        str(args.batch),
        str(args.size),
        time_cell(times[impl]), f'{peaks[impl]:.0f}',
        ratio_cell(times['mmcv'],
                   times[impl]), f"{peaks[impl] / peaks['mmcv']:.2f}",
        f"{abs(losses[impl] - losses['mmcv']):.1e}"
    ] for impl in times]
    print_table(header, rows, args.markdown)


def bench(args) -> None:
    from nl_plugin.action.benchmarking import machine_line
    impls = [
        impl for impl in IMPLS if ('+cp' not in impl or args.with_cp) and (
            impl != 'ours-keep' or args.keep_activations)
    ]
    print(machine_line(args.threads, args.device))
    print(
        f'# NL-I3D R50 {args.mode}, {args.batch} x {args.frames} frames x '
        f'{args.size}^2; times: {args.repeats} alternating steps per model '
        'in one process after a warm-up step each; memory: one step after '
        'a warm-up, a process per model',
        flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        weights = os.path.join(tmp, 'weights.pth')
        make_weights(weights, args)
        timed = spawn(['--child-times', '--impls', ','.join(impls)], weights,
                      args)
        peaks = {
            impl:
            spawn(['--child-memory', '--impl', impl],
                  weights,
                  args,
                  heap='fixed_mmap')['peak_mb']
            for impl in impls
        }
    print(machine_line(args.threads, args.device))
    report(timed, peaks, args)


def parse_args(argv=None) -> argparse.Namespace:
    import torch

    from nl_plugin.action.benchmarking import MODES
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--frames', type=int, default=32)
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument(
        '--size', type=int, default=224, help='crop size (stock: 224)')
    parser.add_argument('--mode', choices=MODES, default='embedded_gaussian')
    parser.add_argument(
        '--with-cp',
        action='store_true',
        help='also both models with activation checkpointing')
    parser.add_argument(
        '--keep-activations',
        action='store_true',
        help='also ours with recompute_norm_act=False (ours-keep)')
    parser.add_argument(
        '--repeats', type=int, default=4, help='timed steps per model')
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    parser.add_argument(
        '--base-channels',
        type=int,
        default=64,
        help='64: the stock model; less: a narrower one for a quick check')
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu',
        help='cuda where available, else cpu')
    parser.add_argument('--markdown', action='store_true')
    parser.add_argument(
        '--child-times', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument(
        '--child-memory', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--impl', choices=IMPLS, help=argparse.SUPPRESS)
    parser.add_argument('--impls', help=argparse.SUPPRESS)
    parser.add_argument('--weights', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    from nl_plugin.compat import install_stack_fixes
    install_stack_fixes()
    args = parse_args(argv)
    if args.child_times:
        run_times(args)
    elif args.child_memory:
        run_memory(args)
    else:
        bench(args)


if __name__ == '__main__':
    main()
