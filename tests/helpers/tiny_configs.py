"""Project configs made tiny for tests: same code paths, small inputs and,
where asked, a small backbone."""
import copy

from mmengine.config import Config

from tiny_videos import dataset_paths

# Shrinks every size-like argument of a transform (tiny inputs, same code
# paths).
_TINY = dict(
    crop_size=56, input_size=56, size=56, scale_range=(64, 72), clip_len=8)


def tiny_transform(t: dict) -> dict:
    """A transform config with small sizes: 8-frame clips, 56-64 px."""
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


def tiny_data_cfg(cfg: Config, data_root: str) -> Config:
    """``cfg`` reading the tiny synthetic set at ``data_root`` with small
    pipelines (the top-level ``test_pipeline`` too), no ImageNet init."""
    cfg = copy.deepcopy(cfg)
    for split, key in (('train', 'train_dataloader'),
                       ('val', 'val_dataloader'), ('val', 'test_dataloader')):
        dataset = cfg[key].dataset
        dataset.update(dataset_paths(data_root, split))
        dataset.pipeline = [tiny_transform(t) for t in dataset.pipeline]
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
