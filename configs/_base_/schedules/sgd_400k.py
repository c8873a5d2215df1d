# The paper's Kinetics schedule (Sec. 4.1): 400k iterations of SGD, lr 0.01,
# momentum 0.9, weight decay 1e-4, lr x0.1 at 150k and 300k iterations, for a
# batch of 64 clips (8 GPUs x 8 clips). With another total batch the lr is
# scaled linearly (auto_scale_lr), e.g. 0.005 for 4 GPUs x 8 clips.
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=400000, val_interval=20000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4))

param_scheduler = [
    dict(
        type='MultiStepLR',
        by_epoch=False,
        milestones=[150000, 300000],
        gamma=0.1)
]

auto_scale_lr = dict(enable=True, base_batch_size=64)
