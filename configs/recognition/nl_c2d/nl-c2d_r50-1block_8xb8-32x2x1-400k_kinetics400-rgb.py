# NL C2D ResNet-50 with 1 embedded-Gaussian block right before the last
# residual block of res4. One run, three rows: Table 2a "Gaussian, embed" (72.7
# / 90.5), Table 2b "res4" (72.7 / 90.5) and Table 2c "1-block" R50 (72.7 /
# 90.5).
_base_ = '../c2d/c2d_r50_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='1-block'))
