"""Parameters and FLOPs of detection configs: backbone, and the whole Mask
R-CNN.

FLOPs are MMEngine's (fvcore's) count: one multiply-add is one FLOP. MMEngine
has no rule for ``scaled_dot_product_attention``, which the embedded-Gaussian
NL block uses; this script adds one (``L*S*(E+Ev)`` per head, the two matrix
products), so the NL block's pairwise term is counted, not skipped.

The whole detector is counted as mmdet's own ``get_flops`` counts it: the
tensor forward with the test-time proposals (up to 1000 boxes for the box
head, the first 100 of them for the mask head); the counts of a random-weight
model differ slightly from a trained one's with the number of proposals.

Usage::

    python tools/analysis/detection_complexity.py \
        configs/detection/mask-rcnn_r50_fpn_1x_coco.py \
        configs/detection/mask-rcnn_r50-nl1_fpn_1x_coco.py --shape 800 1216
"""
import argparse
from typing import Dict, List, Sequence

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.config import Config, DictAction
from mmengine.registry import DefaultScope

import nl_plugin.det  # noqa: F401  registers NLResNet


def sdpa_flop_jit(inputs: List, outputs: List) -> int:
    """FLOPs of ``scaled_dot_product_attention(q, k, v)``: q k^T and attn v."""
    q, _, v = (i.type().sizes() for i in inputs[:3])
    *batch, length, dim = q
    num_keys, value_dim = v[-2], v[-1]
    count = length * num_keys * (dim + value_dim)
    for size in batch:
        count *= size
    return count


class DetectorTensorForward(nn.Module):
    """The detector's tensor forward (mmdet ``mode='tensor'``) for one
    image."""

    def __init__(self, detector: nn.Module, height: int, width: int):
        super().__init__()
        from mmdet.structures import DetDataSample
        self.detector = detector
        shape = (height, width)
        self.data_samples = [
            DetDataSample(
                metainfo=dict(
                    img_shape=shape,
                    ori_shape=shape,
                    pad_shape=shape,
                    batch_input_shape=shape,
                    scale_factor=(1.0, 1.0)))
        ]

    def forward(self, image: torch.Tensor):
        return self.detector._forward(image, self.data_samples)


def build_detector(config: str, cfg_options: Dict = None) -> nn.Module:
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.model.backbone.init_cfg = None  # counting needs no weights
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmdet')):
        from mmdet.registry import MODELS
        return MODELS.build(cfg.model).eval()


def count(module: nn.Module, image: torch.Tensor) -> Dict:
    """``flops``, ``params`` and the ops the counter skipped."""
    analyzer = FlopAnalyzer(module, (image, ))
    analyzer.set_op_handle('aten::scaled_dot_product_attention', sdpa_flop_jit)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    analyzer.tracer_warnings('none')
    with torch.no_grad():
        flops = analyzer.total()
    return dict(
        flops=flops,
        params=parameter_count(module)[''],
        skipped=sorted(analyzer.unsupported_ops()))


def measure(configs: Sequence[str],
            height: int,
            width: int,
            parts: Sequence[str],
            cfg_options: Dict = None) -> List[Dict]:
    torch.manual_seed(0)
    image = torch.randn(1, 3, height, width)
    rows = []
    for config in configs:
        detector = build_detector(config, cfg_options)
        modules = dict(
            backbone=detector.backbone,
            detector=DetectorTensorForward(detector, height, width))
        for part in parts:
            rows.append(
                dict(config=config, part=part, **count(modules[part], image)))
    return rows


def report(rows: List[Dict]) -> str:
    lines = [
        f'{"config":<58} {"part":<9} {"params (M)":>11} {"GFLOPs":>9} '
        f'{"vs first":>9}'
    ]
    first = {}
    for row in rows:
        base = first.setdefault(row['part'], row)
        ratio = f'+{100 * (row["flops"] / base["flops"] - 1):.2f}%'
        lines.append(
            f'{row["config"][-58:]:<58} {row["part"]:<9} '
            f'{row["params"] / 1e6:>11.2f} {row["flops"] / 1e9:>9.1f} '
            f'{ratio:>9}')
        if row['skipped']:
            lines.append(f'    not counted: {", ".join(row["skipped"])}')
    return '\n'.join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        'configs',
        nargs='+',
        help='detection configs; the first '
        'is the reference of the "vs first" column')
    parser.add_argument(
        '--shape',
        type=int,
        nargs=2,
        default=(800, 1216),
        metavar=('HEIGHT', 'WIDTH'),
        help='input image size')
    parser.add_argument(
        '--parts',
        nargs='+',
        default=('backbone', 'detector'),
        choices=('backbone', 'detector'))
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='overrides applied to every config')
    args = parser.parse_args()
    rows = measure(args.configs, *args.shape, args.parts, args.cfg_options)
    print(
        f'input 1x3x{args.shape[0]}x{args.shape[1]}; 1 FLOP = 1 multiply-add')
    print(report(rows))


if __name__ == '__main__':
    main()
