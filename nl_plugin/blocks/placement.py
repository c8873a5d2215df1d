"""Where the non-local blocks of an NL-ResNet go (paper Sec. 5.1, official
code).

A block is inserted *after* the residual block it is attached to (after its
ReLU), so "right before the last residual block of res4" means "after the
second-to-last".

A spec is one of:

* a named layout: ``'none'``, ``'1-block'`` (res4), ``'1-block-res2'`` ..
  ``'1-block-res5'`` (Table 2b), ``'5-block'``, ``'10-block'`` (ResNet-50/101
  only);
* a dict of stage name to the indices of the residual blocks an NL block
  follows, e.g. ``dict(res3=(1, 3), res4=(1, 3, 5))``;
* MMAction2's format: one 0/1 flag per residual block of each stage, or one int
  per stage (or one for all stages), e.g.
  ``((0, 0, 0), (0, 1, 0, 1), (0, 1, 0, 1, 0, 1), (0, 0, 0))``.

:func:`non_local_flags` turns any of them into MMAction2's per-block flags.
"""
from typing import Dict, Sequence, Tuple, Union

STAGES = ('res2', 'res3', 'res4', 'res5')

# Residual blocks an NL block follows, per stage, for the paper's depths.
# 5-block: official code (res3 every other block; R101 res4 after idx 6, 13,
# 20). 10-block: every residual block of res3 and res4 (paper); for R101 "the
# corresponding blocks": all 4 of res3 and 6 of res4 spread evenly like R50's.
_LAYOUTS = {
    50: {
        '5-block': dict(res3=(1, 3), res4=(1, 3, 5)),
        '10-block': dict(res3=(0, 1, 2, 3), res4=(0, 1, 2, 3, 4, 5)),
    },
    101: {
        '5-block': dict(res3=(1, 3), res4=(6, 13, 20)),
        '10-block': dict(res3=(0, 1, 2, 3), res4=(2, 6, 10, 14, 18, 22)),
    },
}
NAMED_LAYOUTS = ('none', '1-block', '1-block-res2', '1-block-res3',
                 '1-block-res4', '1-block-res5', '5-block', '10-block')

Spec = Union[str, Dict[str, Sequence[int]], Sequence[Union[int,
                                                           Sequence[int]]]]


def _named_layout(name: str, stage_blocks: Sequence[int],
                  depth: int) -> Dict[str, Tuple[int, ...]]:
    if name not in NAMED_LAYOUTS:
        raise ValueError(
            f'non_local: unknown layout {name!r}; named layouts are '
            f'{list(NAMED_LAYOUTS)}')
    if name == 'none':
        return {}
    if name.startswith('1-block'):
        stage = name[len('1-block-'):] or 'res4'
        blocks = stage_blocks[STAGES.index(stage)]
        return {stage: (blocks - 2, )}  # right before the last residual block
    if depth not in _LAYOUTS:
        raise ValueError(
            f'non_local: layout {name!r} is defined for depth 50 or '
            f'101, got depth={depth}; pass explicit block indices')
    return _LAYOUTS[depth][name]


def _from_dict(spec: Dict[str, Sequence[int]],
               stage_blocks: Sequence[int]) -> Tuple[Tuple[int, ...], ...]:
    unknown = set(spec) - set(STAGES[:len(stage_blocks)])
    if unknown:
        raise ValueError(
            f'non_local: unknown stage(s) {sorted(unknown)}; stages are '
            f'{list(STAGES[:len(stage_blocks)])}')
    flags = []
    for stage, blocks in zip(STAGES, stage_blocks):
        indices = tuple(spec.get(stage, ()))
        bad = [
            i for i in indices if not isinstance(i, int) or not 0 <= i < blocks
        ]
        if bad:
            raise ValueError(
                f'non_local: block index {bad} out of range for {stage}, '
                f'which has {blocks} residual blocks (0..{blocks - 1})')
        flags.append(tuple(int(i in indices) for i in range(blocks)))
    return tuple(flags)


def _from_flags(spec: Sequence,
                stage_blocks: Sequence[int]) -> Tuple[Tuple[int, ...], ...]:
    if len(spec) != len(stage_blocks):
        raise ValueError(f'non_local: expected one entry per stage '
                         f'({len(stage_blocks)}), got {len(spec)}')
    flags = []
    for stage, blocks, entry in zip(STAGES, stage_blocks, spec):
        entry = (entry, ) * blocks if isinstance(entry, int) else tuple(entry)
        if len(entry) != blocks or any(f not in (0, 1) for f in entry):
            raise ValueError(
                f'non_local: {stage} needs {blocks} flags of 0/1, '
                f'got {entry}')
        flags.append(entry)
    return tuple(flags)


def non_local_flags(spec: Spec, stage_blocks: Sequence[int],
                    depth: int) -> Tuple[Tuple[int, ...], ...]:
    """Per-stage, per-block 0/1 flags for ``spec`` (see module docstring)."""
    stage_blocks = tuple(stage_blocks)
    if isinstance(spec, str):
        return _from_dict(
            _named_layout(spec, stage_blocks, depth), stage_blocks)
    if isinstance(spec, dict):
        return _from_dict(spec, stage_blocks)
    if isinstance(spec, int):  # one flag for every stage, as MMAction2
        spec = (spec, ) * len(stage_blocks)
    return _from_flags(spec, stage_blocks)


def non_local_positions(flags) -> Tuple[Tuple[str, int], ...]:
    """``((stage, block_index), ...)`` of the flagged residual blocks."""
    return tuple((stage, i) for stage, stage_flags in zip(STAGES, flags)
                 for i, f in enumerate(stage_flags) if f)
