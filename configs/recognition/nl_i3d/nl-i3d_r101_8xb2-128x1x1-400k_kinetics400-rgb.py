# NL I3D ResNet-101, 128-frame clips: Table 2g and Table 3 (77.7 / 93.3 val;
# 83.8 avg on test). Fine-tuned from the 32-frame NL I3D with BN frozen; train
# that config first or --cfg-options
# load_from=/path/to/nl-i3d_r101_32-frame.pth
_base_ = '../i3d/i3d_r101_8xb2-128x1x1-400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='5-block'))
load_from = ('work_dirs/nl-i3d_r101_8xb8-32x2x1-400k_kinetics400-rgb/'
             'iter_400000.pth')
