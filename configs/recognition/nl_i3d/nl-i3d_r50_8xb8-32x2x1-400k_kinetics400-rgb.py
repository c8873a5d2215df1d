# NL I3D ResNet-50, 32-frame clips (Table 2f: 74.9 / 91.6): I3D 3x1x1 + 5 NL
# blocks.
_base_ = '../i3d/i3d_r50_8xb8-32x2x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='5-block'))
