# The paper's 128-frame schedule (Sec. 4.1): same iterations and steps as the
# 32-frame one, lr 0.0025 for a batch of 16 clips (8 GPUs x 2 clips). The model
# starts from the 32-frame one (load_from) with BN frozen, set by each config.
_base_ = './sgd_400k.py'

optim_wrapper = dict(optimizer=dict(lr=0.0025))

auto_scale_lr = dict(base_batch_size=16)
