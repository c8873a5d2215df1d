# I3D 3x1x1 ResNet-101, 32-frame clips (Table 2e/2f: 74.4 / 91.1).
_base_ = [
    '../../_base_/models/i3d_r101.py',
    '../../_base_/datasets/kinetics400_32x2x1.py',
    '../../_base_/schedules/sgd_400k.py', '../../_base_/default_runtime.py'
]
