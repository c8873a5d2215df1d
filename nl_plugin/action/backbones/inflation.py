"""2D -> 3D weight inflation from a local ImageNet ResNet checkpoint (paper
Sec. 4).

Each of the ``t`` temporal planes of a ``t x k x k`` kernel is the ``k x k``
pretrained kernel divided by ``t``, so a clip of identical frames gives the 2D
network's features. BN parameters and buffers are copied. Modules without a 2D
counterpart (non-local blocks, heads) keep their initialisation.

Accepted layouts: torchvision's ``resnet50/101`` state dict (``conv1``,
``bn1``, ``layer1.0.downsample.0`` ...) and MMPretrain's (the same under
``backbone.``), with or without a ``state_dict`` wrapper or a ``module.``
prefix. Only local files are
read: there is no download at run time.
"""
import os
import re
from dataclasses import dataclass, field
from typing import Dict, List

import torch
import torch.nn as nn
from mmengine.logging import MMLogger, print_log

from ...engine.checkpoint_io import load_local_checkpoint

_PREFIXES = ('module.', 'backbone.')


@dataclass
class InflationReport:
    """What happened to every parameter during inflation."""
    inflated: List[str] = field(
        default_factory=list)  # 2D conv -> 3D conv, / t
    copied: List[str] = field(default_factory=list)  # same shape, copied as is
    kept_init: List[str] = field(
        default_factory=list)  # 3D params with no 2D source
    unused: List[str] = field(
        default_factory=list)  # 2D keys that went nowhere
    mismatched: List[str] = field(
        default_factory=list)  # found, shapes disagree

    def summary(self) -> str:
        lines = [
            f'inflated {len(self.inflated)}, copied {len(self.copied)}, '
            f'kept at init {len(self.kept_init)}, unused 2D keys '
            f'{len(self.unused)}, shape mismatches {len(self.mismatched)}'
        ]
        for title, names in (('kept at init',
                              self.kept_init), ('unused 2D keys', self.unused),
                             ('shape mismatches', self.mismatched)):
            if names:
                lines.append(f'  {title}: ' + ', '.join(_compress(names)))
        return '\n'.join(lines)


def _compress(names: List[str]) -> List[str]:
    """Groups names that differ only in block indices:
    layer3.{0,2}.non_local..."""
    groups: Dict[str, List[str]] = {}
    for name in names:
        groups.setdefault(re.sub(r'\.\d+\.', '.*.', name), []).append(name)
    return [key if len(v) > 1 else v[0] for key, v in groups.items()]


def strip_prefixes(
        state_dict: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Drops ``module.`` and ``backbone.`` prefixes (MMPretrain / DDP
    layouts)."""
    out = {}
    for key, value in state_dict.items():
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix):]
        out[key] = value
    return out


def name_2d(name_3d: str) -> str:
    """Maps an MMAction2 ``ResNet3d`` parameter name to torchvision's 2D
    name."""
    name = re.sub(r'downsample\.conv\.', 'downsample.0.', name_3d)
    name = re.sub(r'downsample\.bn\.', 'downsample.1.', name)
    name = re.sub(r'(^|\.)conv(\d)\.conv\.', r'\1conv\2.', name)
    return re.sub(r'(^|\.)conv(\d)\.bn\.', r'\1bn\2.', name)


def inflate_from_2d(model: nn.Module,
                    checkpoint: str,
                    logger: MMLogger = None) -> InflationReport:
    """Inflates ``model`` (an MMAction2-layout 3D ResNet) in place from
    ``checkpoint``."""
    state_2d = strip_prefixes(load_local_checkpoint(checkpoint, 'pretrained'))
    report = InflationReport()
    used = set()
    own = dict(model.named_parameters())
    own.update(dict(model.named_buffers()))
    with torch.no_grad():
        for name, tensor in own.items():
            source = name_2d(name)
            if source not in state_2d:
                report.kept_init.append(name)
                continue
            weight = state_2d[source]
            used.add(source)
            if weight.shape == tensor.shape:
                tensor.copy_(weight)
                report.copied.append(name)
            elif tensor.dim() == 5 and weight.dim() == 4 and \
                    weight.shape == tensor.shape[:2] + tensor.shape[3:]:
                t = tensor.shape[2]
                tensor.copy_(weight.unsqueeze(2).expand_as(tensor) / t)
                report.inflated.append(name)
            else:
                report.mismatched.append(
                    f'{name} {tuple(tensor.shape)} vs {source} '
                    f'{tuple(weight.shape)}')
    report.unused = sorted(set(state_2d) - used)
    print_log(
        f'inflated weights from {os.path.basename(checkpoint)}: ' +
        report.summary(),
        logger=logger or 'current')
    return report
