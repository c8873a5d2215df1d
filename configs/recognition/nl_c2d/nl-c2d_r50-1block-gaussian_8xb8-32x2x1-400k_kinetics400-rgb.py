# Table 2a "Gaussian" (72.5 / 90.2): 1 NL block in res4, f = exp(x_i . x_j) on
# the raw features (no theta / phi embeddings).
_base_ = './nl-c2d_r50-1block_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local_cfg=dict(mode='gaussian')))
