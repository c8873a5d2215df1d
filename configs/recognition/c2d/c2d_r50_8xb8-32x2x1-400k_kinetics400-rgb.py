# C2D ResNet-50 baseline, 32-frame clips (Table 2a-2g: 71.8 / 89.7 top-1 /
# top-5).
_base_ = [
    '../../_base_/models/c2d_r50.py',
    '../../_base_/datasets/kinetics400_32x2x1.py',
    '../../_base_/schedules/sgd_400k.py', '../../_base_/default_runtime.py'
]
