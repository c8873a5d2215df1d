"""Helpers of the config tests: tiny pipelines, the LR a schedule gives, and
one batch through a config's data, model and evaluator."""
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.evaluator import Evaluator
from mmengine.optim import OptimWrapper
from mmengine.registry import DATASETS, PARAM_SCHEDULERS, DefaultScope

# Shrinks every size-like argument of a transform (tiny inputs, same code
# paths).
_TINY = dict(
    crop_size=56, input_size=56, size=56, scale_range=(64, 72), clip_len=8)


def tiny_transform(t: dict, frames: int = 8) -> dict:
    """A transform config with small sizes: 56 px crops, 64 px short sides,
    ``frames``-frame windows at the config's stride, at most 2 test clips
    (the same code path)."""
    t = dict(t)
    for key, value in _TINY.items():
        if key in t:
            t[key] = value
    if 'scale' in t:  # (-1, 256) -> (-1, 64); (224, 224) -> (56, 56)
        t['scale'] = tuple(-1 if s == -1 else (64 if s >= 256 else 56)
                           for s in t['scale'])
    if t.get('type') == 'ThreeCrop':  # crops must span the short side (64)
        t['crop_size'] = 64
    if 'window' in t:  # ``frames`` frames at the config's stride
        t['window'] = frames * t.get('stride', 1)
    if t.get('num_clips', 1) > 2:
        t['num_clips'] = 2
    return t


def tiny_frames(cfg: Config) -> int:
    """Clip frames of a tiny config: 8, or 32 where an NL stage groups time
    (res3 then has whole runs of 4 frames)."""
    stage_cfg = cfg.model.backbone.get('non_local_stage_cfg') or {}
    grouped = any(
        c.get('neighbourhood') == 'grouped_time' for c in stage_cfg.values())
    return 32 if grouped and cfg.model.backbone.get('non_local') else 8


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


def batch(cfg: Config, key: str, n: int) -> dict:
    """The first ``n`` samples of the data set of dataloader ``key``,
    collated."""
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        dataset = DATASETS.build(cfg[key].dataset)
    return pseudo_collate([dataset[i] for i in range(n)])


def evaluate_val_and_test(model, cfg: Config, n: int):
    """The config's test evaluator on ``n`` videos of the val loader and ``n``
    of the test loader, predicted by ``model`` in eval mode.

    Returns:
        tuple: ``(metrics, samples)``, the predicted data samples of both.
    """
    model.eval()
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        evaluator = Evaluator(cfg.test_evaluator)
    evaluator.dataset_meta = {}
    samples = []
    with torch.no_grad():
        for key in ('val_dataloader', 'test_dataloader'):
            data = model.data_preprocessor(batch(cfg, key, n), training=False)
            samples += model(**data, mode='predict')
            evaluator.process(samples[-n:])
    return evaluator.evaluate(2 * n), samples
