# Demo baseline: a tiny C2D on the synthetic videos, small enough for a 2-core CPU.
# Same recipe as the Kinetics configs (Table 1 C2D, SGD with momentum, step decay,
# dropout, BN trained), scaled down: one residual block per stage, 16 base channels,
# no ImageNet init, 16-frame 56x56 clips, no temporal striding before res2 so that
# res3 still sees 8 time steps.
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
    cls_head=dict(num_classes=4, in_channels=512))

train_cfg = dict(max_iters=300, val_interval=100)
optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = [dict(type='MultiStepLR', by_epoch=False, milestones=[200], gamma=0.1)]
auto_scale_lr = dict(enable=False)

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=100, max_keep_ckpts=2, save_best='acc/video_top1'))
randomness = dict(seed=0)

# Whole frames, short side 48 (48x72): the synthetic objects sit in the outer
# quarters of the 64x96 frames, where the data set base's 56x56 crops cut them away.
# Decoding and sampling steps (the first three) and the rest stay the base's.
_whole_frames = dict(type='Resize', scale=(-1, 48))
train_pipeline = [*_base_.train_pipeline[:3], _whole_frames, *_base_.train_pipeline[5:]]
val_pipeline = [*_base_.val_pipeline[:3], _whole_frames, *_base_.val_pipeline[5:]]
test_pipeline = [*_base_.test_pipeline[:3], _whole_frames, *_base_.test_pipeline[4:]]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
