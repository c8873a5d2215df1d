"""Helpers of the config tests: tiny pipelines and the LR a schedule gives."""
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import PARAM_SCHEDULERS

# Shrinks every size-like argument of a transform (tiny inputs, same code
# paths).
_TINY = dict(
    crop_size=56, input_size=56, size=56, scale_range=(64, 72), clip_len=8)


def tiny_transform(t: dict) -> dict:
    """A transform config with small sizes: 56 px crops, 64 px short sides,
    8-frame windows at the config's stride."""
    t = dict(t)
    for key, value in _TINY.items():
        if key in t:
            t[key] = value
    if 'scale' in t:  # (-1, 256) -> (-1, 64); (224, 224) -> (56, 56)
        t['scale'] = tuple(-1 if s == -1 else (64 if s >= 256 else 56)
                           for s in t['scale'])
    if t.get('type') == 'ThreeCrop':  # crops must span the short side (64)
        t['crop_size'] = 64
    if 'window' in t:  # 8 frames at the config's stride
        t['window'] = 8 * t.get('stride', 1)
    return t


def lr_at(cfg: Config, iterations):
    """LR the Runner would use at each (0-based) iteration: the schedulers are
    stepped once after every iteration, as ParamSchedulerHook does."""
    param = torch.nn.Parameter(torch.zeros(1))
    opt = cfg.optim_wrapper.optimizer
    wrapper = OptimWrapper(
        torch.optim.SGD([param],
                        lr=opt.lr,
                        momentum=opt.momentum,
                        weight_decay=opt.weight_decay))
    schedulers = [
        PARAM_SCHEDULERS.build(dict(s, optimizer=wrapper))
        for s in cfg.param_scheduler
    ]
    lrs, wanted = {}, set(iterations)
    for it in range(max(iterations) + 1):
        if it in wanted:
            lrs[it] = wrapper.param_groups[0]['lr']
        for scheduler in schedulers:
            scheduler.step()
    return lrs
