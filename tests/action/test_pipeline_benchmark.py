"""tools/analysis/benchmark_pipeline.py runs and prints a ratio per stage and
split."""
import re

from tool_loader import load_tool


def test_benchmark_smoke(capsys):
    module = load_tool('analysis/benchmark_pipeline.py')
    module.main([
        '--num-videos', '1', '--repeats', '1', '--height', '64', '--width',
        '96', '--min-frames', '70', '--max-frames', '70', '--stages',
        'loading', '--clock', 'cpu'
    ])
    rows = re.findall(
        r'^loading\s+(train|test)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)x$',
        capsys.readouterr().out,
        flags=re.M)
    assert [row[0] for row in rows] == ['train', 'test']
    for _, ours, theirs, ratio in rows:
        assert float(ours) > 0 and float(theirs) > 0
        assert abs(float(ratio) - float(ours) / float(theirs)) < 0.02
