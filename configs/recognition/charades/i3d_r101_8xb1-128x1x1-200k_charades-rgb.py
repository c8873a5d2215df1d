# I3D 3x1x1 ResNet-101 on Charades (Table 4, "I3D [ours]": 35.5 mAP train/val,
# the paper's number). Fine-tuned from the Kinetics 128-frame I3D R101 (BN
# frozen, as it was trained) with a fresh 157-class sigmoid head: the
# checkpoint's 400-class fc does not fit and is left out by load_from (MMEngine
# logs it as a size mismatch). Train that config first, or point load_from at
# your local file: --cfg-options load_from=/path/to/i3d_r101_128-frame.pth
_base_ = [
    '../../_base_/models/i3d_r101.py',
    '../../_base_/datasets/charades_128x1x1.py',
    '../../_base_/schedules/sgd_200k_charades.py',
    '../../_base_/default_runtime.py'
]

model = dict(
    backbone=dict(pretrained=None, norm_eval=True),
    cls_head=dict(
        _delete_=True,
        type='MultiLabelI3DHead',  # per-class sigmoid, BCE; views max-pooled
        num_classes=157,
        in_channels=2048,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        view_pooling='max'))
load_from = ('work_dirs/i3d_r101_8xb2-128x1x1-400k_kinetics400-rgb/'
             'iter_400000.pth')
