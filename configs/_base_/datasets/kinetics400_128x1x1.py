# Kinetics-400, the paper's 128-frame variant (Sec. 4.1): 128 consecutive
# frames, no temporal subsampling, 2 clips per GPU; spatial protocol,
# evaluation and data layout as kinetics400_32x2x1.py. Test inputs: (10, 3,
# 128, 256, W).
_base_ = ['./kinetics400_32x2x1.py']


def _with_sampler(pipeline, sampler):
    """The pipeline with its sampler (second step) replaced."""
    return [pipeline[0], sampler, *pipeline[2:]]


train_pipeline = _with_sampler(
    _base_.train_pipeline,
    dict(
        type='RandomWindowSample',
        window=128,
        stride=1,
        out_of_bound_opt='loop'))
val_pipeline = _with_sampler(
    _base_.val_pipeline,
    dict(
        type='EvenWindowSample',
        window=128,
        stride=1,
        num_clips=1,
        out_of_bound_opt='loop'))
test_pipeline = _with_sampler(
    _base_.test_pipeline,
    dict(
        type='EvenWindowSample',
        window=128,
        stride=1,
        num_clips=10,
        out_of_bound_opt='loop'))

train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=2, dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
