# NL I3D ResNet-50, 128-frame clips: Table 2g and Table 3 (76.5 / 92.6 val).
# Fine-tuned from the 32-frame NL I3D with BN frozen; train that config first
# or
#   --cfg-options load_from=/path/to/nl-i3d_r50_32-frame.pth
_base_ = '../i3d/i3d_r50_8xb2-128x1x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='5-block'))
load_from = ('work_dirs/nl-i3d_r50_8xb8-32x2x1-400k_kinetics400-rgb/'
             'iter_400000.pth')
