# I3D 3x1x1 ResNet-50, 128-frame clips (Table 2g: 74.9 / 91.7): fine-tuned from
# the 32-frame model with BN frozen, 2 clips per GPU, lr 0.0025. Train the
# 32-frame config first, or point load_from at its checkpoint:
#   --cfg-options load_from=/path/to/i3d_r50_32-frame.pth
_base_ = [
    '../../_base_/models/i3d_r50.py',
    '../../_base_/datasets/kinetics400_128x1x1.py',
    '../../_base_/schedules/sgd_400k_128-frame.py',
    '../../_base_/default_runtime.py'
]

model = dict(backbone=dict(pretrained=None, norm_eval=True))
load_from = ('work_dirs/i3d_r50_8xb8-32x2x1-400k_kinetics400-rgb/'
             'iter_400000.pth')
