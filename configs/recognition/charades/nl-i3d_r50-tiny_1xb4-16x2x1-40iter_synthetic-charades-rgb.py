# A tiny NL I3D on the synthetic Charades-format set, small enough for a 2-core
# CPU (the end-to-end test of train -> test -> mAP). Same pieces as the Table 4
# configs (NLResNet3d I3D 3x1x1 with NL blocks, MultiLabelI3DHead with BCE and
# max over views, CharadesDataset, WindowActionLabels, CharadesMeanAP), scaled
# down: one residual block per stage, 8 base channels, an NL block after res3
# and res4, no ImageNet or Kinetics init, 16-frame 48x72 clips, 40 iterations,
# no dropout (with 0.5 the loss of so short a run barely moves, and how much
# depends on float rounding, e.g. the number of CPU threads).
_base_ = [
    '../../_base_/models/i3d_r50.py',
    '../../_base_/datasets/synthetic_charades.py',
    '../../_base_/schedules/sgd_400k.py', '../../_base_/default_runtime.py'
]

model = dict(
    backbone=dict(
        pretrained=None,
        base_channels=8,
        stage_blocks=(1, 1, 1, 1),
        inflate=(1, 1, 1, 1),
        conv1_stride_t=1,
        pool1_stride_t=1,
        non_local=dict(res3=(0, ), res4=(0, ))),
    cls_head=dict(
        _delete_=True,
        type='MultiLabelI3DHead',
        num_classes=4,
        in_channels=256,
        spatial_type='avg',
        dropout_ratio=0.0,
        init_std=0.01,
        view_pooling='max'))

train_cfg = dict(max_iters=40, val_interval=20)
optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[30], gamma=0.1)
]
auto_scale_lr = dict(enable=False)

default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=20, max_keep_ckpts=1, save_best='charades/mAP'))
randomness = dict(seed=0)
