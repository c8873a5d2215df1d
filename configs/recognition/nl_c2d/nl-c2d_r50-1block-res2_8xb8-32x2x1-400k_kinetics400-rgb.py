# Table 2b "res2" (72.7 / 90.3): 1 embedded-Gaussian NL block right before the
# last residual block of res2. (res4 is
# nl-c2d_r50-1block_8xb8-32x2x1-400k_kinetics400-rgb.py.)
_base_ = './nl-c2d_r50-1block_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='1-block-res2'))
