# I3D 3x1x1 ResNet-101: as i3d_r50.py; res4 inflates every other block starting
# at the first one (12 of 23), as in the authors' code.
_base_ = './c2d_r101.py'

model = dict(
    backbone=dict(
        conv1_kernel=(5, 7, 7),
        inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0) * 11 + (1, ), (0, 1, 0)),
        inflate_style='3x1x1'))
