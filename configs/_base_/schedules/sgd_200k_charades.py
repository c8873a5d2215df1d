# The paper's Charades fine-tuning schedule (Sec. 5): 200k iterations, lr
# 0.00125, divided by 10 every 75k iterations (at 75k and 150k), 1 clip per
# GPU. Momentum 0.9 and weight decay 1e-4 as for Kinetics (the paper states
# none for Charades). The lr is for 8 GPUs x 1 clip (the paper's Kinetics runs
# used 8 GPUs; it gives no GPU count for Charades) and scaled linearly for
# other batches (auto_scale_lr).
_base_ = './sgd_400k.py'

train_cfg = dict(max_iters=200000, val_interval=25000)
optim_wrapper = dict(optimizer=dict(lr=0.00125))
param_scheduler = [
    dict(
        type='MultiStepLR',
        by_epoch=False,
        milestones=[75000, 150000],
        gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=8)
