"""tools/infer.py: top-k classes with names and probabilities for files,
folders and list files (mp4 and Motion-JPEG AVI), equal to MMAction2's
inference_recognizer; unreadable videos reported, skipped and failing the
exit code; Kinetics-400 names shipped; label maps checked."""
import json
import os.path as osp

import pytest
import torch
from mmaction.apis import inference_recognizer, init_recognizer
from mmengine.config import Config

from nl_plugin.action.inference import (class_names, collect_videos,
                                        kinetics400_classes, read_label_map)
from project_paths import CONFIGS
from tiny_configs import write_checkpoint
from tool_loader import load_tool
from tool_videos import make_tool_inputs


@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    return make_tool_inputs(str(tmp_path_factory.mktemp('infer')))


@pytest.fixture(scope='module')
def infer():
    return load_tool('infer.py')


def test_top_k_with_names_equals_inference_recognizer(inputs, infer, capsys,
                                                      tmp_path):
    out = str(tmp_path / 'results.json')
    code = infer.main([
        inputs['config'], inputs['checkpoint'], inputs['folder'],
        inputs['broken'], '--label-map', inputs['labels'], '--topk', '2',
        '--out', out, '--no-progress'
    ])
    assert code == 1  # one unreadable video
    printed = capsys.readouterr().out
    results = json.load(open(out))
    assert [r['video'] for r in results['videos']] == inputs['videos']
    assert [f['video'] for f in results['failed']] == [inputs['broken']]
    assert 'decord cannot open it' in results['failed'][0]['error']
    names = read_label_map(inputs['labels'])
    model = init_recognizer(
        Config.fromfile(inputs['config']), inputs['checkpoint'], 'cpu')
    for record in results['videos']:
        want = inference_recognizer(model, record['video']).pred_score
        order = want.argsort(descending=True).tolist()
        assert [p['label'] for p in record['top']] == order
        assert [p['name'] for p in record['top']] == [names[i] for i in order]
        got = torch.tensor([p['probability'] for p in record['top']])
        torch.testing.assert_close(got, want[order], rtol=1e-5, atol=1e-6)
        assert osp.basename(record['video']) in printed
    assert names[0] in printed and 'unreadable, skipped' in printed
    assert inputs['broken'] in printed


def test_list_file_and_exit_code_zero(inputs, infer, capsys):
    code = infer.main([
        inputs['config'], inputs['checkpoint'], inputs['list'], '--video-root',
        inputs['folder'], '--no-progress'
    ])
    assert code == 0
    printed = capsys.readouterr().out
    assert 'class 0' in printed and 'class 1' in printed  # default names


def test_collect_videos(inputs, tmp_path):
    assert collect_videos([inputs['list']],
                          inputs['folder']) == inputs['videos']
    assert collect_videos([inputs['folder'], inputs['videos'][0]
                           ]) == inputs['videos']  # each once
    missing = str(tmp_path / 'missing.mp4')  # kept: reported when read
    assert collect_videos([missing]) == [missing]
    with pytest.raises(ValueError, match='no video'):
        collect_videos([str(tmp_path)])


def test_kinetics_configs_get_the_shipped_kinetics_400_names():
    names = kinetics400_classes()
    assert len(names) == len(set(names)) == 400
    assert (names[0], names[-1]) == ('abseiling', 'zumba')
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'recognition', 'nl_i3d',
                 'nl-i3d_r50_8xb8-32x2x1-400k_kinetics400-rgb.py'))
    assert class_names(cfg, 400) == names
    assert class_names(cfg, 7) == [f'class {i}' for i in range(7)]


def test_label_map_must_fit_the_model(inputs, tmp_path):
    cfg = Config.fromfile(inputs['config'])
    with pytest.raises(ValueError, match='label-map.*2 classes.*scores 3'):
        class_names(cfg, 3, inputs['labels'])
    blank = tmp_path / 'blank.txt'
    blank.write_text('a\n\nb\n')
    with pytest.raises(ValueError, match='blank'):
        read_label_map(str(blank))


def test_bad_checkpoint_is_a_clear_error(inputs, infer, tmp_path):
    with pytest.raises(SystemExit, match='does not exist'):
        infer.main(
            [inputs['config'],
             str(tmp_path / 'none.pth'), inputs['folder']])
    other = str(tmp_path / 'c2d.pth')  # the baseline: no NL blocks
    write_checkpoint(
        Config.fromfile(inputs['config'].replace('nl-c2d', 'c2d')), other)
    mismatch = ('(?s)does not fit.*missing from the checkpoint.*non_local'
                '.*--allow-partial')
    with pytest.raises(SystemExit, match=mismatch):
        infer.main([inputs['config'], other, inputs['folder']])
