# Table 2c "10-block" R101 (75.1 / 91.6): the 10 blocks of R50 at the
# corresponding
# places: all 4 of res3, 6 spread over the 23 blocks of res4.
_base_ = '../c2d/c2d_r101_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='10-block'))
