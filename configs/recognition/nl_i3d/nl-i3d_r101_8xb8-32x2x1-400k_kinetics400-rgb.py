# NL I3D ResNet-101, 32-frame clips (Table 2f: 76.0 / 92.1): I3D 3x1x1 + 5 NL
# blocks.
_base_ = '../i3d/i3d_r101_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='5-block'))
