# Demo baseline: a tiny C2D on the synthetic videos, small enough for a 2-core
# CPU. Same recipe as the Kinetics configs (Table 1 C2D, SGD with momentum,
# step decay, dropout, BN trained), scaled down: one residual block per stage,
# 16 base channels, no ImageNet init, 16-frame 48x72 clips, no temporal
# striding before res2 so that res3 still sees 8 time steps.
_base_ = [
    '../_base_/models/c2d_r50.py', '../_base_/datasets/synthetic_videos.py',
    '../_base_/schedules/sgd_400k.py', '../_base_/default_runtime.py'
]

model = dict(
    backbone=dict(
        pretrained=None,
        base_channels=16,
        stage_blocks=(1, 1, 1, 1),
        conv1_stride_t=1,
        pool1_stride_t=1),
    cls_head=dict(num_classes=2, in_channels=512))

train_cfg = dict(max_iters=300, val_interval=100)
optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[200], gamma=0.1)
]
auto_scale_lr = dict(enable=False)

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(
        interval=100, max_keep_ckpts=2, save_best='acc/video_top1'))
randomness = dict(seed=0)
