# I3D 3x3x3 ResNet-101 (Table 2e): the 3x3 kernel of the same residual blocks
# is inflated to 3x3x3 instead of the first 1x1 kernel to 3x1x1.
_base_ = './i3d_r101.py'

model = dict(backbone=dict(inflate_style='3x3x3'))
