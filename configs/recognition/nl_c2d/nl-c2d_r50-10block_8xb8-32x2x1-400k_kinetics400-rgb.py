# Table 2c "10-block" R50 (74.3 / 91.2): an NL block after every residual block
# of res3 and res4.
_base_ = '../c2d/c2d_r50_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='10-block'))
