# I3D 3x1x1 ResNet-50 (paper Sec. 4): C2D with conv1 inflated to 5x7x7 and the
# first 1x1 kernel of every other residual block inflated to 3x1x1, as in the
# authors' code (res2 1,1,1; res3 1,0,1,0; res4 1,0,1,0,1,0; res5 0,1,0).
_base_ = './c2d_r50.py'

model = dict(
    backbone=dict(
        conv1_kernel=(5, 7, 7),
        inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)),
        inflate_style='3x1x1'))
