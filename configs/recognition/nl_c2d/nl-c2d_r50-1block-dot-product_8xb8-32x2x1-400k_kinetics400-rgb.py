# Table 2a "dot-product" (72.9 / 90.3): 1 NL block in res4, f = theta_i . phi_j
# normalised by the number of positions N.
_base_ = './nl-c2d_r50-1block_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local_cfg=dict(mode='dot_product')))
