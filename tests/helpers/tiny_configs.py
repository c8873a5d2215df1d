"""Project configs made tiny for tests: same code paths, small inputs and,
where asked, a small backbone."""
import copy

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from config_helpers import tiny_frames, tiny_transform
from tiny_videos import dataset_paths


def tiny_data_cfg(cfg: Config, data_root: str) -> Config:
    """``cfg`` reading the tiny synthetic set at ``data_root`` with small
    pipelines (the top-level ``test_pipeline`` too), no ImageNet init."""
    cfg = copy.deepcopy(cfg)
    frames = tiny_frames(cfg)
    for split, key in (('train', 'train_dataloader'),
                       ('val', 'val_dataloader'), ('val', 'test_dataloader')):
        dataset = cfg[key].dataset
        dataset.update(dataset_paths(data_root, split))
        dataset.pipeline = [
            tiny_transform(t, frames) for t in dataset.pipeline
        ]
    cfg.test_pipeline = cfg.test_dataloader.dataset.pipeline
    cfg.model.backbone.pretrained = None
    return cfg


def tiny_model_cfg(cfg: Config, base_channels: int = 4) -> Config:
    """``cfg`` with a narrow backbone (same depth, layout and NL blocks) and
    a head that fits it."""
    cfg = copy.deepcopy(cfg)
    cfg.model.backbone.base_channels = base_channels
    # ResNet3d: res5 has base_channels * 8 planes, expansion 4
    cfg.model.cls_head.in_channels = base_channels * 8 * 4
    return cfg


def write_checkpoint(cfg: Config, path: str, seed: int = 0) -> None:
    """Random weights of ``cfg``'s model, BN statistics and NL output BNs
    perturbed (so that every block matters), saved as the Runner does
    (``state_dict``)."""
    init_default_scope(cfg.default_scope)
    model = perturb_weights(MODELS.build(cfg.model), seed)
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)


def perturb_weights(model, seed: int = 0):
    """``model`` with every float tensor drawn from N(0, 0.2), BN variances
    from U(0.5, 1.5): NL blocks are no longer the identity."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith('running_var'):
                t.uniform_(0.5, 1.5, generator=generator)
            elif t.is_floating_point():
                t.normal_(0, 0.2, generator=generator)
    return model
