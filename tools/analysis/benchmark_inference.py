"""Benchmark: the 10-clip test of one video with our NL I3D vs MMAction2's
stock NL I3D (mmcv's NonLocal3d), same weights, same run; and the exported
ONNX model under ONNX Runtime.

Both PyTorch models are MMAction2's stock config
``i3d_imagenet-pretrained-r50-nl-embedded-gaussian_8xb8-32x2x1-100e_kinetics400
-rgb`` (Recognizer3D, I3D R50, 5 embedded-Gaussian NL blocks, 400 classes);
ours only swaps the backbone for ``NLResNet3d``, which loads the same state
dict strictly. The weights are random but with BN statistics and NL output BN
scales perturbed, so that every NL block changes the output. The input is one
synthetic video through the stock test pipeline, with its 3 crops replaced
by the centre crop (as MMAction2's Inferencer does): ``--clips`` clips of
``--frames`` frames at ``--size`` x ``--size``, one ``test_step`` call (data
preprocessor, backbone, head, softmax averaged over the clips).

Times: each implementation in a fresh subprocess per round, one warm-up call,
then the median of ``--repeats``. Peak memory: another fresh subprocess, with
glibc's mmap threshold fixed (resident memory then follows the live tensors),
a warm-up and one more call: on the CPU, the peak resident memory during them
above the resident memory before them (weights and input loaded), sampled
every millisecond; on a GPU, ``torch.cuda.max_memory_allocated``. Times are
never taken in that process: with the threshold fixed every large allocation
is a fresh mapping (page faults), and the sampling thread takes CPU time.
"onnxruntime" runs our model exported by ``tools/deployment/export_onnx.py``'s
code (CPU execution provider; needs ``onnx`` and ``onnxruntime``). Also
printed: the largest absolute difference of the video's class probabilities
from mmcv's.

Usage:
    python tools/analysis/benchmark_inference.py [--clips 10] [--frames 32]
        [--size 256] [--repeats 3] [--devices cpu cuda] [--no-onnx]
"""
import argparse
import json
import os
import os.path as osp
import sys
import tempfile
import time

IMPLS = ('mmcv', 'ours', 'onnxruntime')


def model_config(impl: str, base_channels: int = 64):
    """The stock config's model (``base_channels`` < 64: a narrower one for a
    quick check); ``ours`` with ``NLResNet3d``."""
    from nl_plugin.action.benchmarking import model_config as stock_config
    return stock_config(
        'mmcv' if impl == 'mmcv' else 'ours', base_channels=base_channels)


def build(impl: str, base_channels: int):
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope

    import nl_plugin.action  # noqa: F401
    init_default_scope('mmaction')
    return MODELS.build(model_config(impl, base_channels).model)


def make_weights(path: str, base_channels: int) -> None:
    """Random stock weights with perturbed BN statistics and NL BN scales."""
    import torch
    torch.manual_seed(0)
    model = build('mmcv', base_channels)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith('running_var'):
                t.uniform_(0.5, 1.5)
            elif name.endswith('running_mean'):
                t.normal_(0, 0.1)
            elif 'non_local_block.conv_out.bn.weight' in name:
                t.uniform_(0.5, 1.5)  # mmcv zero-inits it: NL = identity
    torch.save(model.state_dict(), path)


def make_input(path: str, video: str, args) -> None:
    """One video through the stock test pipeline (centre crop), saved."""
    import numpy as np
    import torch
    from mmengine.dataset import Compose

    from nl_plugin.action.datasets.synthetic_videos import (render_video,
                                                            write_mp4)
    frames = max(300, args.frames * 2 * 2)
    write_mp4(video, render_video(0, frames, 256, 340,
                                  np.random.default_rng(0)), 25.0)
    pipeline = []
    for step in model_config('mmcv').test_pipeline:
        step = dict(step)
        if step['type'] == 'SampleFrames':
            step.update(clip_len=args.frames, num_clips=args.clips)
        if step['type'] == 'ThreeCrop':
            step = dict(type='CenterCrop', crop_size=args.size)
        if step['type'] == 'Resize':
            step['scale'] = (-1, args.size)
        pipeline.append(step)
    data = Compose(pipeline)(
        dict(filename=video, label=-1, start_index=0, modality='RGB'))
    torch.save(data, path)


def export(weights: str, path: str, shape, base_channels: int) -> None:
    import torch

    from nl_plugin.action.inference.onnx_export import export_onnx
    model = build('ours', base_channels).eval()
    model.load_state_dict(torch.load(weights, weights_only=True), strict=True)
    export_onnx(model, path, shape)


def run_case(args) -> None:
    """Child process: one implementation on one device; prints a JSON line."""
    import torch
    from mmengine.dataset import pseudo_collate

    torch.set_num_threads(args.threads)
    data = torch.load(args.data, weights_only=False)
    if args.impl == 'onnxruntime':
        from nl_plugin.action.inference import onnx_export
        session = onnx_export.onnxruntime_session(args.onnx)
        clips = data['inputs'].float().numpy()  # (V, 3, T, H, W)

        def forward():
            return torch.from_numpy(
                onnx_export.onnxruntime_scores(session,
                                               clips)['probs']).mean(dim=0)
    else:
        model = build(args.impl, args.base_channels).eval()
        model.load_state_dict(
            torch.load(args.weights, weights_only=True), strict=True)
        model.to(args.device)
        batch = pseudo_collate([data])

        def forward():
            with torch.no_grad():
                score = model.test_step(batch)[0].pred_score
            if args.device.startswith('cuda'):
                torch.cuda.synchronize()
            return score.float().cpu()

    if args.memory:
        print(json.dumps(dict(peak_mb=_peak_mb(forward, args.device))))
        return
    times, scores = _calls(forward, args.repeats + 1)
    torch.save(scores, args.out)
    print(json.dumps(dict(times=times[1:])))


def _peak_mb(forward, device: str) -> float:
    """Peak memory (MB) of a warm-up and one more call of ``forward``."""
    import torch

    from nl_plugin.action.benchmarking import PeakRSS
    cuda = device.startswith('cuda')
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    with PeakRSS() as rss:
        _calls(forward, 2)
    return torch.cuda.max_memory_allocated() / 2**20 if cuda else rss.growth_mb


def _calls(forward, calls: int):
    """Seconds of each of ``calls`` calls of ``forward``, and its last
    result."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        result = forward()
        times.append(time.perf_counter() - start)
    return times, result


def spawn(impl: str, device: str, files: dict, out: str, args,
          memory: bool) -> dict:
    """A child process timing ``impl`` (or, with ``memory``, measuring its
    peak memory with glibc's mmap threshold fixed); its JSON line."""
    cmd = [
        sys.executable, __file__, '--child', '--impl', impl, '--device',
        device, '--out', out, '--repeats',
        str(args.repeats), '--threads',
        str(args.threads), '--base-channels',
        str(args.base_channels)
    ] + [f'--{key}={value}' for key, value in files.items()]
    from nl_plugin.action.benchmarking import run_child
    result, proc = run_child(cmd + (['--memory'] if memory else []),
                             'fixed_mmap' if memory else 'default')
    if proc.returncode or result is None:
        return dict(failed=True, error=proc.stderr.strip()[-500:])
    return result


def cases(args):
    import torch
    devices = [
        d for d in args.devices
        if d == 'cpu' or (d == 'cuda' and torch.cuda.is_available())
    ]
    for device in devices:
        for impl in IMPLS:
            if impl == 'onnxruntime' and (args.no_onnx or device != 'cpu'):
                continue
            yield impl, device


def _speed_cells(runs: list, ref_runs: list) -> str:
    """Median (min-max over rounds) of mmcv's time / this one's, each round
    measured back to back."""
    from nl_plugin.action.benchmarking import median, ratio_cell
    return ratio_cell([median(r['times']) for r in ref_runs],
                      [median(r['times']) for r in runs])


def report(results: dict, args) -> None:
    import torch

    from nl_plugin.action.benchmarking import median
    print('| device | implementation | s per video | clips/s | peak MB | '
          'speed vs mmcv (range over rounds) | memory vs mmcv | '
          'max abs diff of video scores |')
    print('|---|---|---|---|---|---|---|---|')
    for (impl, device), runs in results.items():
        failed = [r for r in runs if r.get('failed')]
        if failed:
            print(f'| {device} | {impl} | failed: {failed[0]["error"][-200:]}'
                  ' |')
            continue
        ref = results.get(('mmcv', device)) or results[('mmcv', 'cpu')]
        seconds = median([t for r in runs for t in r['times']])
        peak = max(r['peak_mb'] for r in runs)
        speed = mem = diff = '—'
        if not any(r.get('failed') for r in ref):
            ref_peak = max(r['peak_mb'] for r in ref)
            if impl != 'mmcv':
                speed = _speed_cells(runs, ref)
                if ref_peak >= 1:
                    mem = f'{peak / ref_peak:.2f}'
            diff = f"{(runs[0]['scores'] - ref[0]['scores']).abs().max():.1e}"
        print(f'| {device} | {impl} | {seconds:.2f} | '
              f'{args.clips / seconds:.2f} | {peak:.0f} | {speed} | {mem} | '
              f'{diff} |')
    if not torch.cuda.is_available():
        print('no GPU on this machine: CPU only')


def bench(args) -> None:
    import torch

    from nl_plugin.action.benchmarking import machine_line
    print(f'{machine_line(args.threads)}\n# {args.clips} clips x '
          f'{args.frames} frames x {args.size}x{args.size}, base channels '
          f'{args.base_channels}; {args.rounds} round(s) of the '
          f'implementations in turn, {args.repeats} timed call(s) each')
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        files = dict(
            weights=osp.join(tmp, 'weights.pth'),
            data=osp.join(tmp, 'data.pth'),
            onnx=osp.join(tmp, 'nl_i3d.onnx'))
        make_weights(files['weights'], args.base_channels)
        make_input(files['data'], osp.join(tmp, 'video.mp4'), args)
        if not args.no_onnx:
            export(files['weights'], files['onnx'],
                   (args.frames, args.size, args.size), args.base_channels)
        for round_ in range(args.rounds):
            for impl, device in cases(args):
                out = osp.join(tmp, f'{impl}-{device}.pth')
                res = spawn(impl, device, files, out, args, memory=False)
                if not res.get('failed'):
                    res['scores'] = torch.load(out)
                    peak = spawn(impl, device, files, out, args, memory=True)
                    res = peak if peak.get('failed') else dict(res, **peak)
                results.setdefault((impl, device), []).append(res)
                print(
                    f'# round {round_ + 1}: {impl} on {device} done',
                    flush=True)
    report(results, args)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--clips', type=int, default=10)
    parser.add_argument('--frames', type=int, default=32)
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument(
        '--repeats', type=int, default=3, help='timed calls per process')
    parser.add_argument(
        '--rounds',
        type=int,
        default=3,
        help='rounds of all implementations in turn (fresh processes)')
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    parser.add_argument(
        '--base-channels',
        type=int,
        default=64,
        help='64: the stock model; less: a narrower one for a quick check')
    parser.add_argument(
        '--devices',
        nargs='+',
        choices=('cpu', 'cuda'),
        default=['cpu', 'cuda'],
        help='cuda is skipped without a GPU')
    parser.add_argument(
        '--no-onnx', action='store_true', help='skip ONNX Runtime')
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument(
        '--memory', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--impl', choices=IMPLS, help=argparse.SUPPRESS)
    parser.add_argument('--device', default='cpu', help=argparse.SUPPRESS)
    for name in ('out', 'weights', 'data', 'onnx'):
        parser.add_argument(f'--{name}', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    from nl_plugin.compat import install_stack_fixes
    install_stack_fixes()
    run_case(args) if args.child else bench(args)


if __name__ == '__main__':
    main()
