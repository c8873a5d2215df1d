"""The benchmarks of NL blocks on real activations and of a training step run
(narrow models, tiny clips) and print ratios; the captured inputs are the
blocks' own. Smoke tests: no timing is asserted."""
import re
import sys

import pytest
import torch

from nl_plugin.action.benchmarking import measure
from tool_loader import load_tool

RATIO = r'[0-9.]+x \([0-9.]+-[0-9.]+\)'


def test_captured_inputs_run_both_blocks_with_equal_outputs():
    from nl_plugin.action.benchmarking import block_inputs
    entries = block_inputs.capture(
        'i3d', 'gaussian', frames=8, batch=2, size=64, base_channels=8)
    assert [e['name'] for e in entries
            ] == ['res3.1', 'res3.3', 'res4.1', 'res4.3', 'res4.5']
    # 8 frames -> 1 after conv1, pool1, pool2; 64 px -> 8 at res3
    assert [tuple(e['x'].shape) for e in entries
            ] == [(2, 64, 1, 8, 8)] * 2 + [(2, 128, 1, 4, 4)] * 3
    pair = block_inputs.block_pair(entries[2])
    with torch.no_grad():
        torch.testing.assert_close(pair['ours'](entries[2]['x']),
                                   pair['mmcv'](entries[2]['x']))
    timed = block_inputs.time_pair(entries[2], repeats=2)
    assert all(len(t) == 2 for t in timed['times'].values())
    assert timed['diff'] < 1e-4


def test_embedding_std_sets_the_embeddings_init():
    """``embedding_std=0.01`` (mmcv's init) gives theta / phi / g weights of
    that spread, not our Kaiming one."""
    from nl_plugin.action.benchmarking import block_inputs
    for std, low, high in ((0.01, 0.008, 0.012), (None, 0.05, 1.0)):
        entries = block_inputs.capture(
            'i3d',
            'embedded_gaussian',
            frames=8,
            batch=1,
            size=64,
            base_channels=8,
            embedding_std=std)
        for name in ('theta', 'phi', 'g'):
            spread = entries[0]['weights'][f'{name}.conv.weight'].std()
            assert low < spread < high, (std, name, spread)


@pytest.mark.parametrize('tool,argv', [
    ('benchmark_nonlocal.py', [
        '--real', '--archs', 'i3d', '--frames', '8', '--batches', '1',
        '--size', '64', '--modes', 'embedded_gaussian', '--repeats', '1',
        '--base-channels', '8', '--markdown', '--keep-heap'
    ]),
    ('benchmark_training.py', [
        '--frames', '8', '--size', '64', '--repeats', '1', '--base-channels',
        '8', '--markdown', '--device', 'cpu'
    ]),
])
def test_benchmark_prints_ratios(tool, argv, capsys):
    load_tool(f'analysis/{tool}').main(argv)
    rows = [
        line for line in capsys.readouterr().out.splitlines()
        if line.startswith('| NL-I3D') or line.startswith('| ours')
    ]
    assert rows
    assert all(re.search(RATIO, row) for row in rows), rows


@pytest.mark.parametrize('options,expected', [
    (dict(), None),
    (dict(heap='kept'), str(2**40)),
])
def test_run_child_sets_the_allocator_of_the_child(options, expected,
                                                   monkeypatch):
    """Times run under glibc's defaults unless the heap is kept: the child
    sees the trim threshold that stops glibc returning freed memory."""
    from nl_plugin.action.benchmarking import run_child
    monkeypatch.delenv('MALLOC_TRIM_THRESHOLD_', raising=False)
    script = ('import json, os; print(json.dumps(dict(trim=os.environ.get('
              "'MALLOC_TRIM_THRESHOLD_'))))")
    result, proc = run_child([sys.executable, '-c', script], **options)
    assert proc.returncode == 0, proc.stderr
    assert result == dict(trim=expected)


def test_run_child_refuses_an_unknown_allocator_setting():
    from nl_plugin.action.benchmarking import run_child
    with pytest.raises(ValueError, match="heap must be one of .*'kept'"):
        run_child([sys.executable, '-c', 'pass'], heap='keep')


def test_keep_heap_needs_the_real_benchmark(capsys):
    with pytest.raises(SystemExit):
        load_tool('analysis/benchmark_nonlocal.py').main(['--keep-heap'])
    assert '--keep-heap times the --real benchmark' in capsys.readouterr().err


@pytest.mark.parametrize('faster,kernel', [(True, 'oneDNN'), (False, 'BLAS')])
def test_machine_line_names_the_cpu_and_the_product_kernel(
        faster, kernel, monkeypatch):
    from nl_plugin.blocks import products
    threads = torch.get_num_threads()
    monkeypatch.setattr(products, 'onednn_is_faster', lambda: faster)
    line = measure.machine_line(threads, 'cpu')
    assert line.startswith(f'# {measure.cpu_name()}, ')
    assert f'{threads} threads, cpu; large fp32 CPU products on {kernel};' \
        in line
