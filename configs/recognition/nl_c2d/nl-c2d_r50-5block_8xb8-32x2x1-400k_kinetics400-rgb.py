# Table 2c "5-block" R50 = Table 2d "spacetime" R50 (73.8 / 91.0): 2 NL blocks
# in res3 and 3 in res4, after every other residual block.
_base_ = '../c2d/c2d_r50_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='5-block'))
