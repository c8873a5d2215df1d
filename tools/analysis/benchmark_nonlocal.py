"""Benchmark: our NonLocalBlock3d vs mmcv's NonLocal3d, same weights, same run.

Two input sources.

``--real`` (what users train): the input of every NL block, captured from one
train-mode forward pass of a synthetic clip (moving squares on noise, through
the stock data preprocessor) through MMAction2's stock NL-I3D R50 config of
the mode, with our ``NLResNet3d`` (``--archs c2d``: the paper's C2D R50) and
random weights (BN statistics and NL output-BN scales perturbed; the NL
embeddings Kaiming-initialised, or normal with ``--embedding-std``). On those
exact activations our block and mmcv's, loaded with that block's weights, run
forward + backward in train mode, alternating ours / mmcv, ``--repeats``
times after two warm-up calls; times per block and in total (the blocks of one
network summed per repeat), median and range, ratio mmcv / ours per repeat;
under glibc's default allocator, or with ``--keep-heap`` keeping freed memory
mapped (no page faults: what the kernels cost, where a fault is dear).
Peak memory: a second process with glibc's mmap threshold fixed, one warm-up
and one measured call per block, peak RSS growth above the call's start.
Concatenation is left out (mmcv's cannot backpropagate).

Random inputs (default): for every shape and pairwise function, each
implementation runs forward + backward in a fresh subprocess (so peak memory
is its own): batch 2, subsampling on, train mode. Peak memory is the growth of
the process's peak RSS over its set-up (inputs and weights already
allocated), with glibc's mmap threshold fixed so that RSS follows the live
tensors. A case that exceeds ``--mem-limit-gb`` is reported as out of
memory. Also timed: the block's 1x1 projections on the queries, pooling and
BN alone (the floor of the plain order; where keys are few, the reassociated
block projects the keys and values instead and can go below it).

Usage:
    python tools/analysis/benchmark_nonlocal.py --real [--frames 32 128]
        [--batches 1 2] [--archs i3d c2d] [--size 224] [--embedding-std 0.01]
        [--markdown]
    python tools/analysis/benchmark_nonlocal.py            # random inputs
    python tools/analysis/benchmark_nonlocal.py --quick    # 32-frame shapes
"""
import argparse
import itertools
import json
import os
import resource
import sys
import tempfile
import time

SHAPES = {
    'res3-32f': (512, 4, 28, 28),
    'res4-32f': (1024, 4, 14, 14),
    'res3-128f': (512, 16, 28, 28),
    'res4-128f': (1024, 16, 14, 14),
}
MODES = ('embedded_gaussian', 'gaussian', 'dot_product', 'concatenation')
IMPLS = ('ours', 'mmcv', 'floor')


def build(impl, mode, channels):
    import torch
    from mmcv.cnn import NonLocal3d

    from nl_plugin.blocks import NonLocalBlock3d
    kwargs = dict(
        in_channels=channels,
        mode=mode,
        sub_sample=True,
        use_scale=False,
        norm_cfg=dict(type='BN3d'))
    torch.manual_seed(0)
    module = NonLocal3d(**kwargs) if impl == 'mmcv' else NonLocalBlock3d(
        **kwargs)
    return module


def floor_forward(block, x):
    """Projections, pooling and W_z + BN of the block, without the
    aggregation."""
    theta, phi, g = block.embed(x)
    return x + block.output(theta[:, :block.inter_channels]) + \
        0 * (phi.sum() + g.sum())


def _high_water_rss_mb() -> float:
    """Peak resident memory (MB) of this process so far: ``VmHWM``, which
    unlike ``ru_maxrss`` is not inherited from the (larger) parent."""
    with open('/proc/self/status') as f:
        line = next(ln for ln in f if ln.startswith('VmHWM:'))
    return int(line.split()[1]) / 1024


def run_case(args):
    """Child process: one implementation, one case; prints a JSON line."""
    import torch
    torch.set_num_threads(args.threads)
    resource.setrlimit(resource.RLIMIT_AS,
                       (int(args.mem_limit_gb * 2**30), ) * 2)
    state = torch.load(args.state, weights_only=True)
    block = build('mmcv' if args.impl == 'mmcv' else 'ours', args.mode,
                  state['x'].shape[1])
    block.load_state_dict(state['weights'])
    block.train()
    x = state['x'].clone().requires_grad_(True)
    forward = (
        lambda t: floor_forward(block, t)) if args.impl == 'floor' else block
    base = _high_water_rss_mb()
    times = []
    try:
        for _ in range(args.repeats + 1):
            start = time.perf_counter()
            out = forward(x)
            if not args.forward_only:
                out.backward(state['grad'])
            times.append(time.perf_counter() - start)
            x.grad = None
            block.zero_grad(set_to_none=True)
    except (MemoryError, RuntimeError) as error:
        oom = isinstance(error, MemoryError) or 'alloc' in str(error).lower()
        print(json.dumps(dict(oom=oom, failed=True, error=str(error)[:300])))
        return
    peak_mb = _high_water_rss_mb() - base
    if args.out:
        with torch.no_grad():
            torch.save(forward(x).detach(), args.out)
    print(
        json.dumps(
            dict(
                oom=False,
                time=sorted(times[1:])[len(times[1:]) // 2],
                peak_mb=peak_mb)))


def spawn(impl, mode, state, out, args, forward_only=False):
    cmd = [
        sys.executable, __file__, '--child', '--impl', impl, '--mode', mode,
        '--state', state, '--repeats',
        str(args.repeats), '--threads',
        str(args.threads), '--mem-limit-gb',
        str(args.mem_limit_gb)
    ]
    if out:
        cmd += ['--out', out]
    if forward_only:
        cmd.append('--forward-only')
    from nl_plugin.action.benchmarking import run_child
    result, proc = run_child(cmd, heap='fixed_mmap')  # peak RSS: live tensors
    if result is None:  # killed (e.g. by the kernel) before it could report
        return dict(oom=True, failed=True, error=proc.stderr[-300:])
    return result


def make_state(mode, shape, path):
    """Shared inputs and perturbed weights (BN gamma != 0, else output ==
    input)."""
    import torch
    block = build('mmcv', mode, shape[0])
    with torch.no_grad():
        block.conv_out.norm.weight.normal_(0, 1)
    torch.manual_seed(1)
    x = torch.randn(2, *shape)
    torch.save(
        dict(weights=block.state_dict(), x=x, grad=torch.randn_like(x)), path)


def fmt(result, key, digits=2):
    if result.get('failed'):
        return 'OOM' if result['oom'] else 'error'
    return f'{result[key]:.{digits}f}'


def compare(shape_name, mode, state, tmp, args, forward_only=False):
    """One table row (markdown) and mmcv's error message, if it failed."""
    import torch
    outs = {impl: os.path.join(tmp, f'{impl}.pt') for impl in IMPLS}
    res = {
        impl:
        spawn(impl, mode, state, None if impl == 'floor' else outs[impl], args,
              forward_only)
        for impl in IMPLS
    }
    ours, theirs, floor = res['ours'], res['mmcv'], res['floor']
    speed = mem = diff = rel_floor = 'n/a'
    if not ours.get('failed') and not theirs.get('failed'):
        diff = (torch.load(outs['ours']) -
                torch.load(outs['mmcv'])).abs().max()
        diff = f'{diff.item():.1e}'
        speed = f"{theirs['time'] / ours['time']:.2f}x"
        mem = f"{ours['peak_mb'] / max(theirs['peak_mb'], 1e-6):.3f}"
    elif not ours.get('failed') and theirs['oom']:
        mem = f"< {ours['peak_mb'] / (args.mem_limit_gb * 1024):.3f}"
    if not ours.get('failed') and not floor.get('failed'):
        rel_floor = f"{ours['time'] / floor['time']:.2f}"
    label = mode + (' (fwd only)' if forward_only else '')
    row = (shape_name, label, fmt(ours, 'time'), fmt(theirs, 'time'), speed,
           fmt(ours, 'peak_mb', 0), fmt(theirs, 'peak_mb',
                                        0), mem, rel_floor, diff)
    return '| ' + ' | '.join(row) + ' |', theirs.get('error')


def bench(args):
    from nl_plugin.action.benchmarking import machine_line
    shapes = {
        k: v
        for k, v in SHAPES.items() if (not args.quick or '32f' in k) and (
            not args.shapes or k in args.shapes)
    }
    print(f'{machine_line(args.threads)}\n# batch 2, sub_sample=True, '
          f'fwd+bwd, median of {args.repeats}; memory limit '
          f'{args.mem_limit_gb} GiB per case')
    header = ('shape', 'mode', 'ours s', 'mmcv s', 'speed-up', 'ours MB',
              'mmcv MB', 'mem ratio', 'ours/floor', 'max|diff|')
    print('| ' + ' | '.join(header) + ' |')
    print('|' + '---|' * len(header))
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape_name, shape in shapes.items():
            for mode in args.modes or MODES:
                state = os.path.join(tmp, 'state.pt')
                make_state(mode, shape, state)
                row, failure = compare(shape_name, mode, state, tmp, args)
                print(row, flush=True)
                if failure and not any(
                        word in failure for word in ('alloc', 'memory')):
                    # mmcv failed for another reason (its concatenation mode
                    # cannot backpropagate): compare forward passes, graph
                    # kept, instead.
                    row, _ = compare(shape_name, mode, state, tmp, args, True)
                    print(row, flush=True)
                if failure:
                    errors.append(f'{shape_name} {mode} mmcv: {failure}')
    for error in errors:
        print('note:', error)


# ------------------------------------------------------------------ --real
REAL_MODES = ('embedded_gaussian', 'gaussian', 'dot_product')
REAL_HEADER = ('model', 'frames', 'batch', 'mode', 'block',
               'input (N, C, T, H, W)', 'ours ms', 'mmcv ms',
               'mmcv / ours time', 'ours MB', 'mmcv MB', 'max abs diff')


def run_real_case(args) -> None:
    """Child process: every captured block of one network; a JSON line."""
    import torch

    from nl_plugin.action.benchmarking import block_inputs
    torch.set_num_threads(args.threads)
    entries = torch.load(args.state, weights_only=True)
    if args.memory:
        results = [block_inputs.peak_pair(e) for e in entries]
    else:
        results = [block_inputs.time_pair(e, args.repeats) for e in entries]
    print(json.dumps(results))


def spawn_real(state: str, args, memory: bool) -> list:
    cmd = [
        sys.executable, __file__, '--child-real', '--state', state,
        '--repeats',
        str(args.repeats), '--threads',
        str(args.threads)
    ] + (['--memory'] if memory else [])
    from nl_plugin.action.benchmarking import run_child
    heap = 'fixed_mmap' if memory else (
        'kept' if args.keep_heap else 'default')
    result, proc = run_child(cmd, heap)
    if proc.returncode or result is None:
        raise RuntimeError(f'benchmark child failed: {proc.stderr[-2000:]}')
    return result


def real_rows(case, entries, timed, peaks) -> list:
    """One row per block and one for their sum (``case``: model, frames,
    batch, mode)."""
    from nl_plugin.action.benchmarking import ratio_cell, time_cell
    rows = []
    for entry, t, peak in zip(entries, timed, peaks):
        ours, mmcv = t['times']['ours'], t['times']['mmcv']
        rows.append(case + [
            entry['name'],
            str(tuple(entry['x'].shape)),
            time_cell(ours, 1e-3),
            time_cell(mmcv, 1e-3),
            ratio_cell(mmcv, ours), f"{peak['ours']:.0f}",
            f"{peak['mmcv']:.0f}", f"{t['diff']:.1e}"
        ])
    totals = {
        impl: [sum(r) for r in zip(*(t['times'][impl] for t in timed))]
        for impl in ('ours', 'mmcv')
    }
    rows.append(case + [
        f'all {len(entries)}', '',
        time_cell(totals['ours'], 1e-3),
        time_cell(totals['mmcv'], 1e-3),
        ratio_cell(totals['mmcv'],
                   totals['ours']), f"{max(p['ours'] for p in peaks):.0f}",
        f"{max(p['mmcv'] for p in peaks):.0f}", ''
    ])
    return rows


def bench_real(args) -> None:
    import torch

    from nl_plugin.action.benchmarking import (block_inputs, machine_line,
                                               print_table)
    print(machine_line(args.threads))
    init = ('Kaiming' if args.embedding_std is None else
            f'normal, std {args.embedding_std}')
    print(f'# NL embeddings: {init} init')
    print(f'# real activations: {args.size}x{args.size} clips, fwd+bwd in '
          f'train mode, {args.repeats} alternating repeats after 2 warm-ups: '
          'median (min-max); memory: peak RSS growth of one call')
    if args.keep_heap:
        print('# times with glibc keeping freed memory (no page faults in '
              'steady state), not its defaults')
    rows = []
    cases = itertools.product(args.archs, args.frames, args.batches, args.modes
                              or REAL_MODES)
    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, 'inputs.pt')
        for arch, frames, batch, mode in cases:
            if mode not in REAL_MODES:
                print(f'# {mode}: skipped (mmcv cannot backpropagate it)')
                continue
            entries = block_inputs.capture(
                arch,
                mode,
                frames,
                batch,
                args.size,
                args.base_channels,
                embedding_std=args.embedding_std)
            torch.save(entries, state)
            timed = spawn_real(state, args, memory=False)
            peaks = spawn_real(state, args, memory=True)
            case = [f'NL-{arch.upper()} R50', str(frames), str(batch), mode]
            rows += real_rows(case, entries, timed, peaks)
            print(
                f'# done: {" ".join(case)}; total ratio {rows[-1][8]}',
                flush=True)
    print(machine_line(args.threads))
    print_table(REAL_HEADER, rows, args.markdown)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        '--quick', action='store_true', help='32-frame shapes only')
    parser.add_argument(
        '--shapes', nargs='+', choices=list(SHAPES), help='a subset')
    parser.add_argument('--modes', nargs='+', choices=MODES, help='a subset')
    parser.add_argument(
        '--real',
        action='store_true',
        help='the activations of NL-I3D / NL-C2D R50 on a clip')
    parser.add_argument(
        '--archs', nargs='+', choices=('i3d', 'c2d'), default=['i3d', 'c2d'])
    parser.add_argument('--frames', nargs='+', type=int, default=[32])
    parser.add_argument('--batches', nargs='+', type=int, default=[1, 2])
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--markdown', action='store_true')
    parser.add_argument(
        '--base-channels',
        type=int,
        default=64,
        help='--real: 64 is R50; less, a narrower one for a quick check')
    parser.add_argument(
        '--embedding-std',
        type=float,
        default=None,
        help='--real: normal init of the NL embeddings (0.01: mmcv\'s, '
        'dense weights) instead of ours (Kaiming)')
    parser.add_argument(
        '--repeats',
        type=int,
        default=None,
        help='timed calls (default: 5 with --real, else 3)')
    parser.add_argument(
        '--keep-heap',
        action='store_true',
        help='--real: time with glibc keeping freed memory mapped (no page '
        'faults, as under a caching allocator) instead of its defaults')
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    parser.add_argument('--mem-limit-gb', type=float, default=16.0)
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument(
        '--child-real', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument(
        '--memory', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--impl', choices=IMPLS, help=argparse.SUPPRESS)
    parser.add_argument('--mode', help=argparse.SUPPRESS)
    parser.add_argument('--state', help=argparse.SUPPRESS)
    parser.add_argument('--out', help=argparse.SUPPRESS)
    parser.add_argument(
        '--forward-only', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.keep_heap and not args.real:
        parser.error('--keep-heap times the --real benchmark; the random '
                     'inputs one runs each case in a fresh process')
    if args.repeats is None:
        args.repeats = 5 if args.real else 3
    from nl_plugin.compat import install_stack_fixes
    install_stack_fixes()
    if args.child_real:
        run_real_case(args)
    elif args.child:
        run_case(args)
    else:
        bench_real(args) if args.real else bench(args)


if __name__ == '__main__':
    main()
