"""tools/analysis/benchmark_inference.py runs (narrow model, tiny clips) and
prints, per implementation, time, clips/s, peak memory, the ratios to mmcv's
NL I3D and the largest difference of the video scores, which must be tiny
(same weights). A smoke test: no timing is asserted."""
import importlib.util
import re

from tool_loader import load_tool


def test_benchmark_smoke(capsys):
    with_onnx = importlib.util.find_spec('onnxruntime') is not None
    load_tool('analysis/benchmark_inference.py').main([
        '--clips', '2', '--frames', '8', '--size', '64', '--repeats', '1',
        '--rounds', '1', '--base-channels', '8', '--devices', 'cpu'
    ] + ([] if with_onnx else ['--no-onnx']))
    out = capsys.readouterr().out
    rows = {
        line.split('|')[2].strip(): line
        for line in out.splitlines() if line.startswith('| cpu')
    }
    impls = ['ours'] + (['onnxruntime'] if with_onnx else [])
    assert set(rows) == {'mmcv', *impls}, out
    for impl in impls:
        cells = [c.strip() for c in rows[impl].split('|')[1:-1]]
        assert re.fullmatch(r'[0-9.]+x \([0-9.]+-[0-9.]+\)',
                            cells[5])  # speed vs mmcv
        assert float(cells[7]) < 1e-5  # same weights, same scores
