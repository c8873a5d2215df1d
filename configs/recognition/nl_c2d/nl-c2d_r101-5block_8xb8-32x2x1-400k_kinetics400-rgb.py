# Table 2c "5-block" R101 = Table 2d "spacetime" R101 = Table 2e "NL C2D,
# 5-block" (75.1 / 91.7): 2 NL blocks in res3, 3 spread over the 23 blocks of
# res4.
_base_ = '../c2d/c2d_r101_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='5-block'))
