# Table 2c "1-block" R101 (74.3 / 91.3): 1 embedded-Gaussian NL block right
# before the last residual block of res4.
_base_ = '../c2d/c2d_r101_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='1-block'))
