# C2D ResNet-101 baseline, 32-frame clips (Table 2c-2f: 73.1 / 91.0).
_base_ = [
    '../../_base_/models/c2d_r101.py',
    '../../_base_/datasets/kinetics400_32x2x1.py',
    '../../_base_/schedules/sgd_400k.py', '../../_base_/default_runtime.py'
]
