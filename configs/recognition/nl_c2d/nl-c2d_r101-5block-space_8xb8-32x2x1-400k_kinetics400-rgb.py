# Table 2d "space-only" R101 (74.4 / 91.3): 5 NL blocks, each position attends
# only to the positions of its own frame.
_base_ = './nl-c2d_r101-5block_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local_cfg=dict(neighbourhood='space')))
