# I3D 3x1x1 ResNet-50 of the released Kinetics models (resnet_video.py,
# obtain_arc type 2): the released C2D with conv1 5x7x7 (temporal padding 2)
# and the first 1x1 kernel of every other residual block 3x1x1, as i3d_r50.py.
_base_ = './video-nonlocal-net_c2d_r50.py'

model = dict(
    backbone=dict(
        conv1_kernel=(5, 7, 7),
        inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)),
        inflate_style='3x1x1'))
