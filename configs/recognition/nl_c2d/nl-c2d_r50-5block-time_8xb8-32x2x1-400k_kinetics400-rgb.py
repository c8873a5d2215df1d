# Table 2d "time-only" R50 (73.1 / 90.5): 5 NL blocks, each position attends
# only to the same location in every frame (no spatial subsampling of the keys
# then).
_base_ = './nl-c2d_r50-5block_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(
    backbone=dict(non_local_cfg=dict(neighbourhood='time', sub_sample=False)))
