"""tools/data/kinetics/build_annotation_lists.py on a small CSV written by the
test."""
import os.path as osp
import subprocess
import sys

import pytest

from pipeline_helpers import REPO, write_index_video

SCRIPT = osp.join(REPO, 'tools', 'data', 'kinetics',
                  'build_annotation_lists.py')
TRAIN_CSV = """label,youtube_id,time_start,time_end,split,is_cc
air drumming,--nQbRBEz2s,104,114,train,0
abseiling,-3B32lodo2M,59,69,train,0
"passing American football (in game)",-4Bp9Q7Bz0c,0,10,train,0
abseiling,0347ZoDXyP0,7,17,train,0
"""
VAL_CSV = """label,youtube_id,time_start,time_end,split
abseiling,xyzABC12345,31,41,val
"passing American football (in game)",QwErTy_-987,5,15,val
"""


def run(*args, check=True):
    proc = subprocess.run([sys.executable, SCRIPT, *map(str, args)],
                          capture_output=True,
                          text=True)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def csvs(tmp_path):
    (tmp_path / 'train.csv').write_text(TRAIN_CSV)
    (tmp_path / 'validate.csv').write_text(VAL_CSV)
    return tmp_path


def test_flat_lists_and_class_indices(csvs):
    run(csvs / 'train.csv', '--out', csvs / 'train.txt', '--classes-out',
        csvs / 'classes.txt')
    assert (csvs / 'classes.txt').read_text().splitlines() == [
        'abseiling', 'air drumming', 'passing American football (in game)'
    ]
    assert (csvs / 'train.txt').read_text().splitlines() == [
        '--nQbRBEz2s_000104_000114.mp4 1',
        '-3B32lodo2M_000059_000069.mp4 0',
        '-4Bp9Q7Bz0c_000000_000010.mp4 2',
        '0347ZoDXyP0_000007_000017.mp4 0',
    ]


def test_val_list_reuses_training_classes_by_class_layout(csvs):
    run(csvs / 'train.csv', '--out', csvs / 'train.txt', '--classes-out',
        csvs / 'classes.txt')
    run(csvs / 'validate.csv', '--out', csvs / 'val.txt', '--class-list',
        csvs / 'classes.txt', '--layout', 'by_class')
    assert (csvs / 'val.txt').read_text().splitlines() == [
        'abseiling/xyzABC12345_000031_000041.mp4 0',
        'passing_American_football_in_game/QwErTy_-987_000005_000015.mp4 2',
    ]


def test_missing_and_unreadable_videos_are_left_out(csvs):
    videos = csvs / 'videos'
    videos.mkdir()
    write_index_video(str(videos / '-3B32lodo2M_000059_000069.mp4'), 12)
    (videos / '0347ZoDXyP0_000007_000017.mp4').write_bytes(b'\x00' *
                                                           100)  # broken
    proc = run(csvs / 'train.csv', '--out', csvs / 'train.txt', '--video-dir',
               videos, '--check-readable')
    assert (csvs / 'train.txt').read_text().splitlines() == [
        '-3B32lodo2M_000059_000069.mp4 0'
    ]
    assert '1 of 4 clips, 3 classes; 2 missing, 1 unreadable' in proc.stderr
    run(csvs / 'train.csv', '--out', csvs / 'present.txt', '--video-dir',
        videos)
    assert len(
        (csvs /
         'present.txt').read_text().splitlines()) == 2  # no decode check


def test_unlabelled_csv_is_refused(tmp_path):
    (tmp_path / 'test.csv').write_text('youtube_id,time_start,time_end,split\n'
                                       'abc,0,10,test\n')
    proc = run(tmp_path / 'test.csv', '--out', tmp_path / 'x.txt', check=False)
    assert proc.returncode != 0
    assert "lacks the column(s) ['label']" in proc.stderr


def test_label_outside_class_list_is_refused(csvs):
    (csvs / 'classes.txt').write_text('abseiling\n')
    proc = run(
        csvs / 'validate.csv',
        '--out',
        csvs / 'val.txt',
        '--class-list',
        csvs / 'classes.txt',
        check=False)
    assert proc.returncode != 0
    assert 'labels not in' in proc.stderr
    assert 'passing American football' in proc.stderr
