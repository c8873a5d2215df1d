"""torch.load(weights_only=True) reads MMEngine Runner checkpoints, and nothing
more."""
import pickle

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

from nl_plugin.compat import allow_mmengine_checkpoints
from nl_plugin.compat.torch_load import history_buffer_getattr


class _Linear(BaseModel):

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x, mode='tensor'):
        out = self.fc(x)  # default_collate stacked the batch: (B, 2)
        return dict(loss=out.pow(2).mean()) if mode == 'loss' else out


class _Points(Dataset):

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return dict(x=torch.full((2, ), float(i)))


@pytest.fixture(scope='module')
def runner_checkpoint(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('runner')
    runner = Runner(
        model=_Linear(),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=_Points(),
            batch_size=4,
            sampler=dict(type='DefaultSampler'),
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(
            type='MultiStepLR', milestones=[2], by_epoch=False),
        train_cfg=dict(by_epoch=False, max_iters=2),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=2,
                            by_epoch=False)))
    runner.train()
    return str(work_dir / 'iter_2.pth')


def test_no_unsafe_global_left_in_runner_checkpoint(runner_checkpoint):
    allowed = allow_mmengine_checkpoints()
    assert 'mmengine.logging.history_buffer.HistoryBuffer' in allowed
    assert torch.serialization.get_unsafe_globals_in_checkpoint(
        runner_checkpoint) == []


def test_default_torch_load_reads_runner_checkpoint(runner_checkpoint):
    checkpoint = torch.load(runner_checkpoint)  # weights_only=True by default
    buffer = checkpoint['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.statistics('current') == pytest.approx(
        float(buffer.data[0][-1]))
    assert checkpoint['meta']['iter'] == 2
    assert 'fc.weight' in checkpoint['state_dict']


class _NotAllowed:

    def __init__(self):
        self.payload = np.arange(3)


def test_other_globals_stay_refused(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save({'x': _NotAllowed()}, path)
    with pytest.raises(pickle.UnpicklingError, match='_NotAllowed'):
        torch.load(path)


@pytest.mark.parametrize('obj,name',
                         [(HistoryBuffer, '__init__'),
                          (HistoryBuffer, '_set_default_statistics'),
                          (np, 'load'), (HistoryBuffer, 'no_such_method')])
def test_getattr_is_restricted_to_history_buffer_methods(obj, name):
    with pytest.raises(pickle.UnpicklingError, match='getattr'):
        history_buffer_getattr(obj, name)
    assert history_buffer_getattr(HistoryBuffer, 'mean') is HistoryBuffer.mean
