# I3D 3x3x3 ResNet-101, 32-frame clips (Table 2e: 74.1 / 91.2).
_base_ = [
    '../../_base_/models/i3d-3x3x3_r101.py',
    '../../_base_/datasets/kinetics400_32x2x1.py',
    '../../_base_/schedules/sgd_400k.py', '../../_base_/default_runtime.py'
]
