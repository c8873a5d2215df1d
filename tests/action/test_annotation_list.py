"""Annotation lists are checked line by line when the data set is built (and
by the pre-run check, against the model head's classes): bad separators,
missing or non-integer labels, labels outside the classes, missing videos,
each named by file and line. The metric refuses labels it would wrap."""
import os.path as osp

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

from nl_plugin.action import ClipVideoAccuracy, RobustVideoDataset
from nl_plugin.action.datasets.annotation_list import (AnnotationError,
                                                       annotation_list_errors)
from project_paths import ROOT
from tiny_videos import make_tiny_synthetic
from tool_loader import load_tool

DEMO = osp.join(ROOT, 'configs', 'demo',
                'c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py')


@pytest.fixture
def videos(tmp_path):
    for name in ('a.mp4', 'b.mp4'):
        (tmp_path / name).write_bytes(b'not decoded here')
    return tmp_path


@pytest.mark.parametrize('line,problem', [
    ('a.mp4\t1', r'no label: expected path label \(a tab in the line: the '
     r"delimiter is ' '\)"),
    ('a.mp4  1', r"empty field: two delimiters ' ' in a row"),
    ('', 'empty line'),
    ('a.mp4', 'no label'),
    ('a.mp4 one', "label 'one' is not an integer"),
    ('a.mp4 1.0', "label '1.0' is not an integer"),
    ('a.mp4 -2', r'label -2 is outside 0..1 \(num_classes=2\)'),
    ('a.mp4 2', r'label 2 is outside 0..1 \(num_classes=2\)'),
    ('a.mp4 0 1', r'3 fields, expected 2'),
    ('c.mp4 0', r"video '.*c.mp4' does not exist"),
])
def test_bad_line_fails_at_construction_naming_file_and_line(
        videos, line, problem):
    ann = videos / 'list.txt'
    ann.write_text(f'a.mp4 0\nb.mp4 1\n{line}\n')
    init_default_scope('mmaction')
    with pytest.raises(AnnotationError, match=f'{ann}:3: {problem}'):
        RobustVideoDataset(
            ann_file=str(ann),
            data_prefix=dict(video=str(videos)),
            pipeline=[],
            num_classes=2)


def test_good_lists_pass(videos):
    ann = videos / 'list.txt'
    ann.write_text('a.mp4 0\nb.mp4 1\n')
    dataset = RobustVideoDataset(
        ann_file=str(ann),
        data_prefix=dict(video=str(videos)),
        pipeline=[],
        num_classes=2)
    assert [d['label'] for d in dataset.load_data_list()] == [0, 1]
    ann.write_text('a.mp4,0,3\nb.mp4,2\n')
    assert annotation_list_errors(
        str(ann), ',', multi_class=True, num_classes=4) == []
    # without num_classes only negative labels are out of range
    ann.write_text('a.mp4 7\n')
    assert annotation_list_errors(str(ann)) == []


def test_missing_videos_are_allowed_when_unreadable_ones_are_skipped(videos):
    ann = videos / 'list.txt'
    ann.write_text('a.mp4 0\ngone.mp4 1\n')
    kwargs = dict(
        ann_file=str(ann), data_prefix=dict(video=str(videos)), pipeline=[])
    with pytest.raises(AnnotationError, match='gone.mp4'):
        RobustVideoDataset(**kwargs)
    assert len(RobustVideoDataset(skip_unreadable=True, **kwargs)) == 2


def test_prerun_check_uses_the_model_head_s_classes(tmp_path, monkeypatch):
    root = make_tiny_synthetic(str(tmp_path / 'data'))
    monkeypatch.setenv('SYNTHETIC_VIDEOS_ROOT', root)
    ann = osp.join(root, 'synthetic_train_list_videos.txt')
    lines = open(ann).read().splitlines()
    name = lines[1].split(' ')[0]
    lines[1] = f'{name} 5'  # the demo model has 2 classes
    open(ann, 'w').write('\n'.join(lines) + '\n')
    with pytest.raises(SystemExit) as exit_info:
        load_tool('train.py').main(
            [DEMO, '--work-dir', str(tmp_path / 'work')])
    message = str(exit_info.value.code)
    assert ('train_dataloader.dataset.ann_file: 1 bad line(s):\n'
            f'    {ann}:2: label 5 is outside 0..1 (num_classes=2): '
            f"'{name} 5'") in message
    assert not (tmp_path / 'work').exists()


@pytest.mark.parametrize('label', (-2, -1, 2, 7))
def test_metric_refuses_labels_outside_the_classes(label):
    sample = ActionDataSample().set_gt_label(label).set_pred_score(
        torch.rand(3, 2))
    with pytest.raises(
            ValueError, match=f'gt_label {label} is outside the 2 classes'):
        ClipVideoAccuracy().process(None, [sample.to_dict()])
