"""The authors' Caffe2 blobs -> the state dict of an MMAction2
``Recognizer3D``.

The conversion is driven by the target model: every conv unit of the model
(conv + optional norm, as MMAction2's ``ConvModule``) and its classifier are
named in Caffe2 terms, their blobs looked up, folded where the two layouts
differ, and checked against the model's shapes:

==============================================  ===============================
MMAction2 module (``backbone.`` omitted)        Caffe2 blobs
==============================================  ===============================
``conv1``                                       ``conv1_w``, ``res_conv1_bn_*``
``layer{S-1}.{i}.conv1/2/3``                    ``res{S}_{i}_branch2a/b/c_*``
``layer{S-1}.{i}.downsample``                   ``res{S}_{i}_branch1_*``
``layer{S-1}.{i}.non_local_block.theta/phi/g``  ``nonlocal_conv{S}_{i}_*_w/_b``
``layer{S-1}.{i}.non_local_block.conv_out``     ``nonlocal_conv{S}_{i}_out_*``,
                                                ``nonlocal_conv{S}_{i}_bn_*``
``cls_head.fc_cls``                             ``pred_w``, ``pred_b``
==============================================  ===============================

BN blobs are ``_s`` (gamma), ``_b`` (beta), ``_rm`` (running mean), ``_riv``
(running *variance*); the frozen-BN models keep only the folded ``_s`` / ``_b``
of ``AffineNd``. Exact folds, for the eval-mode output:

* a conv bias where the target conv has none but a BN follows (the NL blocks'
  W_z): into the BN's running mean, ``mean' = mean - bias``;
* a BN (``_s, _b, _rm, _riv``) into a :class:`FrozenAffine` target, as the
  official ``convert_to_finetune.py`` does: ``s' = s / sqrt(var + eps)``,
  ``b' = b - mean * s'`` (plus ``s' * bias`` of a conv bias);
* a BN or affine into a target without norm (a BN model's NL block into a
  frozen-BN model's): into the conv, ``W' = s' W``, ``bias' = s' bias + b'``.

``model_iter``, ``lr``, ``epoch`` and the ``*_momentum`` blobs are dropped.
Every other blob must be used and every entry of the state dict set, with the
same shape; :class:`ConversionReport` lists what is not.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, NamedTuple, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.utils.dl_utils.parrots_wrapper import _BatchNorm

from ...blocks.frozen_affine import FrozenAffine

BN_EPS = 1e-5  # the official BN epsilon (1.0000001e-5) and folding epsilon
_NON_PARAMETERS = ('model_iter', 'lr', 'epoch')
_BN_BLOBS = ('s', 'b', 'rm', 'riv')  # gamma, beta, running mean, running var


def _stage(match) -> int:
    return int(match[1]) + 1  # MMAction2's layer1 is Caffe2's res2


def _branch(match, branch: str) -> Tuple[str, str]:
    prefix = f'res{_stage(match)}_{match[2]}_branch{branch}'
    return prefix, prefix + '_bn'


# module path -> (Caffe2 conv prefix, Caffe2 norm prefix or None)
_UNIT_NAMES = (
    (r'backbone\.conv1', lambda m: ('conv1', 'res_conv1_bn')),
    (r'backbone\.layer(\d+)\.(\d+)\.conv([123])',
     lambda m: _branch(m, '2' + 'abc'[int(m[3]) - 1])),
    (r'backbone\.layer(\d+)\.(\d+)\.downsample', lambda m: _branch(m, '1')),
    (r'backbone\.layer(\d+)\.(\d+)\.non_local_block\.(theta|phi|g)', lambda m:
     (f'nonlocal_conv{_stage(m)}_{m[2]}_{m[3]}', None)),
    (r'backbone\.layer(\d+)\.(\d+)\.non_local_block\.conv_out', lambda m:
     (f'nonlocal_conv{_stage(m)}_{m[2]}_out',
      f'nonlocal_conv{_stage(m)}_{m[2]}_bn')),
)


def caffe2_names(module_name: str) -> Optional[Tuple[str, Optional[str]]]:
    """``(conv prefix, norm prefix)`` of a conv unit, or None if it has no
    Caffe2 counterpart."""
    for pattern, names in _UNIT_NAMES:
        match = re.fullmatch(pattern, module_name)
        if match:
            return names(match)
    return None


def is_dropped(name: str) -> bool:
    """Training state the conversion drops: iteration, lr, momentum."""
    return name in _NON_PARAMETERS or name.endswith('_momentum')


@dataclass
class ConversionReport:
    """What a conversion did.

    Attributes:
        mapped (dict): Blob -> the state-dict keys it set.
        folded (list[str]): The folds performed, one line each.
        dropped (list[str]): Training-state blobs dropped.
        unused (list[str]): Blobs no parameter took.
        unset (list[str]): State-dict keys no blob set.
        mismatched (list[str]): ``key: blob shape vs model shape`` (or why a
            unit could not be converted); those keys are also unset.
    """
    mapped: Dict[str, List[str]] = field(default_factory=dict)
    folded: List[str] = field(default_factory=list)
    dropped: List[str] = field(default_factory=list)
    unused: List[str] = field(default_factory=list)
    unset: List[str] = field(default_factory=list)
    mismatched: List[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every blob used, every parameter set, every shape equal."""
        return not (self.unused or self.unset or self.mismatched)

    def format(self, max_items: int = 20) -> str:
        """A human-readable report (lists cut at ``max_items``)."""
        momentum = sum(name.endswith('_momentum') for name in self.dropped)
        others = [n for n in self.dropped if not n.endswith('_momentum')]
        lines = [
            f'blobs mapped: {len(self.mapped)} -> '
            f'{len(set().union(*self.mapped.values()))} state-dict entries',
            f'folds: {len(self.folded)}',
            f'dropped: {momentum} momentum blobs' + ''.join(f', {n}'
                                                            for n in others),
        ]
        for title, items in (('blobs left unused', self.unused),
                             ('parameters left unset', self.unset),
                             ('shape mismatches', self.mismatched)):
            lines.append(f'{title}: {len(items)}')
            lines += [f'  {item}' for item in items[:max_items]]
            if len(items) > max_items:
                lines.append(f'  ... and {len(items) - max_items} more')
        return '\n'.join(lines)


class _Source(NamedTuple):
    """The Caffe2 blobs of one unit (None where absent)."""
    weight: Optional[np.ndarray]
    bias: Optional[np.ndarray]
    norm: Dict[str, np.ndarray]  # subset of _BN_BLOBS


class _UnitError(Exception):
    """A unit that cannot be converted (the message says why)."""


def _source(blobs: Mapping, conv: str, norm: Optional[str]) -> _Source:
    norm_blobs = {} if norm is None else {
        k: blobs[f'{norm}_{k}']
        for k in _BN_BLOBS if f'{norm}_{k}' in blobs
    }
    return _Source(blobs.get(f'{conv}_w'), blobs.get(f'{conv}_b'), norm_blobs)


def _used_blobs(src: _Source, conv: str, norm: Optional[str]) -> List[str]:
    names = [f'{conv}_w'] * (src.weight is not None)
    names += [f'{conv}_b'] * (src.bias is not None)
    return names + [f'{norm}_{k}' for k in src.norm]


def _scale_shift(src: _Source, norm: str) -> Tuple[np.ndarray, np.ndarray]:
    """Per-channel scale and shift of the source norm (BN folded)."""
    if set(src.norm) == set(_BN_BLOBS):
        scale = src.norm['s'] / np.sqrt(src.norm['riv'] + BN_EPS)
        return scale, src.norm['b'] - src.norm['rm'] * scale
    if set(src.norm) == {'s', 'b'}:
        return src.norm['s'], src.norm['b']
    raise _UnitError(f'{norm}: incomplete norm blobs {sorted(src.norm)}')


def _convert_unit(src: _Source, conv: str, norm: Optional[str], has_bias: bool,
                  norm_layer: Optional[nn.Module],
                  folded: List[str]) -> Dict[str, np.ndarray]:
    """Target parameters (``conv.weight``, ``bn.bias`` ...) of one unit."""
    if src.weight is None:
        raise _UnitError(f'no blob {conv}_w')
    out = {'conv.weight': src.weight}
    bias = src.bias  # the conv bias still to place
    if isinstance(norm_layer, _BatchNorm):
        if set(src.norm) != set(_BN_BLOBS):
            raise _UnitError(
                f'{norm}: the model has a BN here, which needs the blobs '
                f'{[f"{norm}_{k}" for k in _BN_BLOBS]}; the file has '
                f'{[f"{norm}_{k}" for k in src.norm]} (a frozen-BN model '
                'converts into a FrozenAffine config)')
        mean = src.norm['rm']
        if bias is not None and not has_bias:
            mean, bias = mean - bias, None
            folded.append(f'{conv}_b -> into the running mean of {norm}')
        out.update({
            'bn.weight': src.norm['s'],
            'bn.bias': src.norm['b'],
            'bn.running_mean': mean,
            'bn.running_var': src.norm['riv'],
            'bn.num_batches_tracked': np.array(0, dtype=np.int64)
        })
    elif isinstance(norm_layer, FrozenAffine):
        scale, shift = _scale_shift(src, norm)
        if 'rm' in src.norm:
            folded.append(f'{norm} -> frozen affine scale and shift')
        if bias is not None and not has_bias:
            shift, bias = shift + scale * bias, None
            folded.append(f'{conv}_b -> into the affine shift of {norm}')
        out.update({'bn.weight': scale, 'bn.bias': shift})
    elif norm_layer is not None:
        raise _UnitError(f'no conversion into a {type(norm_layer).__name__}')
    elif src.norm:  # the model has no norm here: fold it into the conv
        scale, shift = _scale_shift(src, norm)
        out['conv.weight'] = src.weight * scale.reshape((-1, ) + (1, ) *
                                                        (src.weight.ndim - 1))
        bias = shift + scale * (0.0 if bias is None else bias)
        folded.append(f'{norm} -> into {conv}_w and the conv bias')
    if has_bias:
        if bias is None:
            raise _UnitError(f'no blob {conv}_b for the conv bias')
        out['conv.bias'] = bias
    elif bias is not None:
        raise _UnitError(f'{conv}_b: the model has no conv bias here and '
                         'no BN to fold it into')
    return out


def _units(model: nn.Module):
    """``(module name, conv, norm or None)`` of every conv unit."""
    for name, module in model.named_modules():
        if isinstance(module, ConvModule):
            yield name, module.conv, module.norm if module.with_norm else None


def _as_target(value, key: str, like: torch.Tensor, source: str,
               mismatched: List[str]) -> Optional[torch.Tensor]:
    """``value`` as a tensor like the model's, or None (reported) if its
    shape differs."""
    value = np.asarray(value)
    if key.endswith('fc_cls.weight') and value.size == like.numel():
        value = value.reshape(like.shape)  # test-time 1x1x1 conv -> fc
    if tuple(value.shape) != tuple(like.shape):
        mismatched.append(f'{key}: {source} gives shape {tuple(value.shape)}, '
                          f'the model has {tuple(like.shape)}')
        return None
    return torch.from_numpy(np.array(value, dtype=np.float32)).to(like.dtype)


def convert_blobs(
        blobs: Mapping,
        model: nn.Module) -> Tuple[Dict[str, torch.Tensor], ConversionReport]:
    """State dict of ``model`` from the Caffe2 ``blobs``, and the report.

    Args:
        blobs (Mapping): Blob name -> array (see :func:`.load_blobs`).
        model (nn.Module): An MMAction2 ``Recognizer3D`` of the blobs'
            architecture (``NLResNet3d`` backbone, ``FullyConvHead`` or any
            head with ``fc_cls``).

    Returns:
        tuple: The converted entries (``state_dict`` keys -> tensors; only
        those whose blobs were found with the right shapes) and the
        :class:`ConversionReport`.
    """
    target = model.state_dict()
    report = ConversionReport(
        dropped=sorted(n for n in blobs if is_dropped(n)))
    state: Dict[str, torch.Tensor] = {}

    def put(prefix: str, values: Dict, source: str, used: List[str]) -> None:
        keys = []
        for suffix, value in values.items():
            key = f'{prefix}.{suffix}'
            tensor = _as_target(value, key, target[key], source,
                                report.mismatched)
            if tensor is not None:
                state[key] = tensor
                keys.append(key)
        report.mapped.update({blob: keys for blob in used})

    for name, conv, norm_layer in _units(model):
        names = caffe2_names(name)
        if names is None:
            report.mismatched.append(f'{name}: no Caffe2 counterpart')
            continue
        src = _source(blobs, *names)
        try:
            values = _convert_unit(src, *names, conv.bias is not None,
                                   norm_layer, report.folded)
        except _UnitError as error:
            report.mismatched.append(f'{name}: {error}')
            continue
        put(name, values, f'{names[0]}*', _used_blobs(src, *names))
    head = dict(model.named_modules()).get('cls_head.fc_cls')
    if isinstance(head, nn.Linear):
        for suffix in ('weight', 'bias'):
            blob = f'pred_{suffix[0]}'
            if blob in blobs:
                put('cls_head.fc_cls', {suffix: blobs[blob]}, blob, [blob])
    used = {blob for blob in report.mapped}
    report.unused = sorted(
        n for n in blobs if n not in used and not is_dropped(n))
    report.unset = sorted(k for k in target if k not in state)
    return state, report
