# Demo NL network: the tiny C2D of the baseline demo config plus two embedded-
# Gaussian non-local blocks, after the (only) residual block of res3 and of
# res4.
_base_ = './c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py'

model = dict(backbone=dict(non_local=dict(res3=(0, ), res4=(0, ))))
