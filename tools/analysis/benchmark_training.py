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
also its NL blocks).

Each implementation runs in a fresh process per round, one warm-up step then
``--repeats`` timed steps; the rounds run the implementations in turn, the
first one rotating. Reported: median step time (min-max over rounds of each
process's median), the ratio to the stock model's step time per round
(median and range), and peak memory: on CUDA
``torch.cuda.max_memory_allocated`` over the timed steps; on the CPU the peak
resident memory during the timed steps above the resident memory before them
(weights, gradients and momentum already allocated), sampled every
millisecond, with glibc's mmap threshold fixed so that resident memory follows
the live tensors (both models run under the same allocator setting). Also
printed: the largest difference of the first step's loss from the stock
model's (same weights, same data).

Usage:
    python tools/analysis/benchmark_training.py [--frames 32|128] [--batch 1]
        [--size 224] [--mode embedded_gaussian] [--with-cp] [--rounds 3]
        [--repeats 2] [--markdown]
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

IMPLS = ('mmcv', 'ours', 'mmcv+cp', 'ours+cp')


def build(impl: str, args):
    from nl_plugin.action.benchmarking import build_model
    return build_model(
        impl.split('+')[0],
        mode=args.mode,
        base_channels=args.base_channels,
        with_cp=impl.endswith('+cp'))


def make_weights(path: str, args) -> None:
    import torch

    from nl_plugin.action.benchmarking import perturb_weights
    torch.manual_seed(0)
    torch.save(perturb_weights(build('mmcv', args)), path)


def run_case(args) -> None:
    """Child process: steps of one implementation; prints a JSON line."""
    import torch
    from mmengine.optim import build_optim_wrapper

    from nl_plugin.action.benchmarking import (PeakRSS, clip_batch, median,
                                               model_config)
    torch.set_num_threads(args.threads)
    model = build(args.impl, args)
    model.load_state_dict(
        torch.load(args.weights, weights_only=True), strict=True)
    model.to(args.device).train()
    optim_wrapper = build_optim_wrapper(
        model,
        model_config(mode=args.mode).optim_wrapper)
    data = clip_batch(args.batch, args.frames, args.size)
    cuda = args.device.startswith('cuda')

    def step() -> float:
        start = time.perf_counter()
        losses = model.train_step(data, optim_wrapper)
        if cuda:
            torch.cuda.synchronize()
        return time.perf_counter() - start, losses['loss'].item()

    _, first_loss = step()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    with PeakRSS() as rss:
        times = [step()[0] for _ in range(args.repeats)]
    peak = (
        torch.cuda.max_memory_allocated() / 2**20 if cuda else rss.growth_mb)
    print(
        json.dumps(
            dict(time=median(times), peak_mb=peak, first_loss=first_loss)))


def spawn(impl: str, weights: str, args) -> dict:
    from nl_plugin.action.benchmarking.measure import FIXED_MMAP_ENV
    cmd = [
        sys.executable, __file__, '--child', '--impl', impl, '--weights',
        weights, '--device', args.device
    ] + [
        f'--{name}={getattr(args, name.replace("-", "_"))}'
        for name in ('frames', 'batch', 'size', 'mode', 'repeats', 'threads',
                     'base-channels')
    ]
    env = dict(os.environ, **FIXED_MMAP_ENV)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith('{')]
    if proc.returncode or not lines:
        raise RuntimeError(f'{impl} failed: {proc.stderr[-2000:]}')
    return json.loads(lines[-1])


def print_table(header, rows, markdown: bool) -> None:
    if markdown:
        for row in [header, ['---'] * len(header)] + rows:
            print('| ' + ' | '.join(row) + ' |')
        return
    widths = [
        max(len(r[i]) for r in [header] + rows) for i in range(len(header))
    ]
    for row in [header] + rows:
        print('  '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def report(results: dict, args) -> None:
    from nl_plugin.action.benchmarking import median, ratio_cell, time_cell
    stock = results['mmcv']
    header = ('model', 'frames', 'batch', 'size', 'step s', 'peak MB',
              'stock time / this', 'this peak / stock peak', 'first loss diff')
    rows = []
    for impl, runs in results.items():
        peaks = [r['peak_mb'] for r in runs]
        stock_peaks = [r['peak_mb'] for r in stock]
        rows.append([
            impl,
            str(args.frames),
            str(args.batch), f'{args.size}',
            time_cell([r['time'] for r in runs]),
            f'{median(peaks):.0f} ({min(peaks):.0f}-{max(peaks):.0f})',
            ratio_cell([r['time'] for r in stock], [r['time'] for r in runs]),
            f'{median([p / s for p, s in zip(peaks, stock_peaks)]):.2f}',
            f"{abs(runs[0]['first_loss'] - stock[0]['first_loss']):.1e}"
        ])
    print_table(header, rows, args.markdown)


def machine_line(args) -> str:
    import torch
    load = ', '.join(f'{v:.2f}' for v in os.getloadavg())
    return (f'# {platform.processor() or platform.machine()}, '
            f'{os.cpu_count()} cores, torch {torch.__version__}, '
            f'{args.threads} threads, {args.device}; load average (1, 5, 15 '
            f'min) {load}')


def bench(args) -> None:
    impls = IMPLS if args.with_cp else IMPLS[:2]
    print(machine_line(args))
    print(
        f'# NL-I3D R50 {args.mode}, {args.batch} x {args.frames} frames x '
        f'{args.size}^2, {args.rounds} rounds, {args.repeats} timed steps '
        'per process after a warm-up step',
        flush=True)
    results = {impl: [] for impl in impls}
    with tempfile.TemporaryDirectory() as tmp:
        weights = os.path.join(tmp, 'weights.pth')
        make_weights(weights, args)
        for round_ in range(args.rounds):
            shift = round_ % len(impls)
            for impl in impls[shift:] + impls[:shift]:
                results[impl].append(spawn(impl, weights, args))
                print(
                    f'# round {round_ + 1}: {impl} '
                    f"{results[impl][-1]['time']:.2f} s",
                    flush=True)
    print(machine_line(args))
    report(results, args)


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
        '--repeats', type=int, default=2, help='timed steps per process')
    parser.add_argument('--rounds', type=int, default=3)
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
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--impl', choices=IMPLS, help=argparse.SUPPRESS)
    parser.add_argument('--weights', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    from nl_plugin.compat import install_stack_fixes
    install_stack_fixes()
    args = parse_args(argv)
    run_case(args) if args.child else bench(args)


if __name__ == '__main__':
    main()
