"""CharadesDataset on the synthetic Charades-format set: frames and videos,
video-level test labels, window labels in training, and line-numbered skips
of malformed rows and missing media."""
import shutil

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from nl_plugin.action.datasets import CharadesDataset, WindowActionLabels
from nl_plugin.action.datasets.charades_annotations import (read_charades_csv,
                                                            read_classes)
from nl_plugin.action.datasets.synthetic_charades import \
    make_synthetic_charades
from nl_plugin.action.datasets.transforms import actions_in_window

TRAIN_PIPELINE = [
    dict(
        type='RandomWindowSample',
        window=16,
        stride=2,
        out_of_bound_opt='loop'),
    dict(type='WindowActionLabels'),
    dict(type='RawFrameDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp('charades')
    make_synthetic_charades(str(root), 6, 3, media=('frames', 'videos'))
    return root


def _dataset(root, split='test', media='img', copy_to=None, **kwargs):
    folder = dict(img='Charades_v1_rgb', video='Charades_v1_480')[media]
    kwargs.setdefault('pipeline', [])
    with DefaultScope.overwrite_default_scope('mmaction'):
        return CharadesDataset(
            ann_file=str((copy_to or root) / f'Charades_v1_{split}.csv'),
            classes_file=str(root / 'Charades_v1_classes.txt'),
            data_prefix={media: str((copy_to or root) / folder)},
            test_mode=split == 'test',
            **kwargs)


def _expected_labels(root, split):
    class_ids = [
        c for c, _ in read_classes(str(root / 'Charades_v1_classes.txt'))
    ]
    videos, _ = read_charades_csv(
        str(root / f'Charades_v1_{split}.csv'), class_ids)
    labels = np.zeros((len(videos), len(class_ids)), np.float32)
    for i, video in enumerate(videos):
        for action in video.actions:
            labels[i, action.label] = 1
    return videos, labels


@pytest.mark.parametrize('media', ['img', 'video'])
def test_test_labels_are_all_actions_of_the_video(root, media):
    dataset = _dataset(root, media=media)
    videos, labels = _expected_labels(root, 'test')
    assert len(dataset) == len(videos)
    assert dataset.num_malformed == dataset.num_missing == 0
    assert dataset.metainfo['classes'][0] == 'Showing a red square'
    assert dataset.metainfo['class_ids'] == ('c000', 'c001', 'c002', 'c003')
    for i, video in enumerate(videos):
        info = dataset.get_data_info(i)
        assert info['video_id'] == video.video_id
        np.testing.assert_array_equal(info['label'].numpy(), labels[i])
        if media == 'img':
            assert info['total_frames'] == round(video.length * 24)
            assert info['start_index'] == 1 and info['avg_fps'] == 24.0
            assert info['filename_tmpl'] == f'{video.video_id}-{{:06d}}.jpg'
        else:
            assert info['filename'].endswith(f'{video.video_id}.mp4')
            assert info['start_index'] == 0


def test_training_clips_are_labelled_with_their_window(root):
    dataset = _dataset(root, 'train', pipeline=TRAIN_PIPELINE)
    videos, _ = _expected_labels(root, 'train')
    np.random.seed(0)
    for i, video in enumerate(videos):
        sample = dataset[i]
        assert sample['inputs'].shape[:3] == (1, 3, 8)
        # frame_inds count from 1 (the frame files); the window runs from the
        # first to the last kept frame, 1/24 s each
        info = dataset.get_data_info(i)
        results = dataset.pipeline.transforms[0](info)
        first = results['frame_inds'].min() - 1
        last = results['frame_inds'].max() - 1
        assert last - first == 14
        want = torch.zeros(4)
        for action in video.actions:  # hand-written overlap rule
            if action.start < (last + 1) / 24 and action.end > first / 24:
                want[action.label] = 1
        labels = dataset.pipeline.transforms[1](results)['label']
        torch.testing.assert_close(labels, want)
        assert sample['data_samples'].gt_label.shape == (4, )


def test_window_rule_on_hand_cases():
    actions = [(0, 1.0, 2.0), (1, 2.0, 3.0), (2, 0.0, 10.0), (3, 2.5, 2.6)]
    # [1.5, 2.0): overlaps class 0 and 2; class 1 starts where it ends
    assert actions_in_window(actions, 1.5, 2.0, 5).tolist() == [1, 0, 1, 0, 0]
    # [2.0, 2.55): class 0 ends at its start; class 3 starts inside
    assert actions_in_window(actions, 2.0, 2.55, 5).tolist() == [0, 1, 1, 1, 0]
    # an action inside the window, and a window inside an action
    assert actions_in_window([(0, 3, 4)], 2, 5, 1).tolist() == [1]
    assert actions_in_window([(0, 2, 5)], 3, 4, 1).tolist() == [1]


def test_window_labels_of_videos_count_from_frame_zero():
    results = dict(
        actions=[(0, 0.0, 0.5), (1, 1.0, 2.0)],
        frame_inds=np.array([24, 30, 47]),  # seconds [1.0, 2.0)
        avg_fps=24.0,
        start_index=0,
        label=torch.ones(2))
    assert WindowActionLabels()(results)['label'].tolist() == [0, 1]
    with pytest.raises(ValueError, match='avg_fps'):
        WindowActionLabels()(dict(results, avg_fps=0))
    with pytest.raises(KeyError, match='after the clip sampler'):
        WindowActionLabels()(
            dict(actions=[], avg_fps=24.0, label=torch.ones(2)))


def test_malformed_rows_and_missing_media_are_skipped_with_lines(
        root, tmp_path):
    for folder in ('Charades_v1_rgb', 'Charades_v1_480'):
        shutil.copytree(root / folder, tmp_path / folder)
    lines = (root / 'Charades_v1_train.csv').read_text().splitlines(True)
    lines[2] = lines[2].replace('TR001,', 'TR001,extra,')  # line 3
    (tmp_path / 'Charades_v1_train.csv').write_text(''.join(lines))
    shutil.rmtree(tmp_path / 'Charades_v1_rgb' / 'TR003')  # CSV line 5
    (tmp_path / 'Charades_v1_rgb' / 'TR004' / 'TR004-000001.jpg').unlink()
    (tmp_path / 'Charades_v1_480' / 'TR005.mp4').unlink()  # CSV line 7
    frames = _dataset(root, 'train', copy_to=tmp_path, pipeline=TRAIN_PIPELINE)
    assert len(frames) == 3 and frames.num_malformed == 1
    assert frames.num_missing == 2
    assert [p.line for p in frames.problems] == [3, 5, 6]
    assert 'fields, the header has 11' in frames.problems[0].reason
    assert 'TR003' in frames.problems[1].reason
    assert "not 'TR004-000001.jpg'" in frames.problems[2].reason
    videos = _dataset(
        root, 'train', 'video', copy_to=tmp_path, pipeline=TRAIN_PIPELINE)
    assert (len(videos), videos.num_malformed, videos.num_missing) == (4, 1, 1)
    assert [p.line for p in videos.problems] == [3, 7]


def test_bad_arguments_are_named(root):
    with pytest.raises(ValueError, match='WindowActionLabels'):
        _dataset(root, 'train', pipeline=TRAIN_PIPELINE[2:])
    with pytest.raises(ValueError, match='data_prefix'):
        CharadesDataset(
            ann_file=str(root / 'Charades_v1_test.csv'),
            classes_file=str(root / 'Charades_v1_classes.txt'),
            pipeline=[],
            data_prefix=dict(img='a', video='b'),
            test_mode=True)
    with pytest.raises(ValueError, match='filename_tmpl'):
        _dataset(root, filename_tmpl='{id}-{name}.jpg')
    with pytest.raises(ValueError, match='frame_rate'):
        _dataset(root, frame_rate=0)
    with pytest.raises(ValueError, match='skip_unreadable'):
        _dataset(root, skip_unreadable=True)  # test mode
