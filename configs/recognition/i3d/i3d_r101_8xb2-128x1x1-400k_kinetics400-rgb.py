# I3D 3x1x1 ResNet-101, 128-frame clips (Table 2g: 76.4 / 92.7); recipe as in
# i3d_r50_8xb2-128x1x1-400k_kinetics400-rgb.py.
_base_ = [
    '../../_base_/models/i3d_r101.py',
    '../../_base_/datasets/kinetics400_128x1x1.py',
    '../../_base_/schedules/sgd_400k_128-frame.py',
    '../../_base_/default_runtime.py'
]

model = dict(backbone=dict(pretrained=None, norm_eval=True))
load_from = ('work_dirs/i3d_r101_8xb8-32x2x1-400k_kinetics400-rgb/'
             'iter_400000.pth')
