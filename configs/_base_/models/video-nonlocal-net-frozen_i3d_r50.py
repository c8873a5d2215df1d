# The released I3D fine-tuned with BN frozen (the 32x4 and 128x1 models, run
# with MODEL.USE_AFFINE): every BN is the folded per-channel scale and shift
# of a trained one (FrozenAffine, never updated). Their NL blocks have no norm
# (W_z with bias, zero-initialised) and those of res3 attend within runs of
# 4 consecutive frames (add_nonlocal_group, group_size=4); res4's are full
# spacetime. The NL settings apply where a config sets non_local.
_base_ = './video-nonlocal-net_i3d_r50.py'

model = dict(
    backbone=dict(
        norm_cfg=dict(type='FrozenAffine'),
        non_local_cfg=dict(norm_cfg=None),
        non_local_stage_cfg=dict(
            res3=dict(neighbourhood='grouped_time', group_size=4))))
