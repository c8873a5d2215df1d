# Kinetics-400 for the 32x4 models: 32 frames out of 128 (windows of 128
# frames, every 4th kept), 2 clips per GPU in training; the authors' test
# protocol and everything else as kinetics400_32x2x1_official-test.py.
_base_ = ['./kinetics400_32x2x1_official-test.py']


def _windows(pipeline):
    """The pipeline with its window sampler over 128 frames, every 4th."""
    return [
        dict(t, window=128, stride=4) if 'Window' in t.type else t
        for t in pipeline
    ]


train_pipeline = _windows(_base_.train_pipeline)
val_pipeline = _windows(_base_.val_pipeline)
test_pipeline = _windows(_base_.test_pipeline)
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=2, dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
