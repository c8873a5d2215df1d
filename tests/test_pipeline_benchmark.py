"""tools/analysis/benchmark_pipeline.py runs and prints a ratio per stage and split."""
import importlib.util
import os.path as osp
import re

from pipeline_helpers import REPO


def test_benchmark_smoke(capsys):
    path = osp.join(REPO, 'tools', 'analysis', 'benchmark_pipeline.py')
    spec = importlib.util.spec_from_file_location('benchmark_pipeline', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(['--num-videos', '1', '--repeats', '1', '--height', '64', '--width', '96',
                 '--min-frames', '70', '--max-frames', '70', '--stages', 'loading',
                 '--clock', 'cpu'])
    rows = re.findall(r'^loading\s+(train|test)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)x$',
                      capsys.readouterr().out, flags=re.M)
    assert [row[0] for row in rows] == ['train', 'test']
    for _, ours, theirs, ratio in rows:
        assert float(ours) > 0 and float(theirs) > 0
        assert abs(float(ratio) - float(ours) / float(theirs)) < 0.02
