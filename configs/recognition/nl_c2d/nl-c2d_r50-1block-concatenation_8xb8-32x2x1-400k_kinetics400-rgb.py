# Table 2a "concatenation" (72.8 / 90.5): 1 NL block in res4,
# f = ReLU(w_f . [theta_i, phi_j]) normalised by N.
_base_ = './nl-c2d_r50-1block_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local_cfg=dict(mode='concatenation')))
