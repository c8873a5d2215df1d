# I3D 3x1x1 ResNet-50, 32-frame clips (Table 2f: 73.3 / 90.7).
_base_ = [
    '../../_base_/models/i3d_r50.py',
    '../../_base_/datasets/kinetics400_32x2x1.py',
    '../../_base_/schedules/sgd_400k.py', '../../_base_/default_runtime.py'
]
