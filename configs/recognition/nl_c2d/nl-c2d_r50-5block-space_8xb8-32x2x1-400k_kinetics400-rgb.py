# Table 2d "space-only" R50 (72.9 / 90.8): 5 NL blocks, each position attends
# only to the positions of its own frame.
_base_ = './nl-c2d_r50-5block_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local_cfg=dict(neighbourhood='space')))
