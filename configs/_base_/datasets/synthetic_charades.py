# The synthetic Charades-format set of tools/data/make_synthetic_charades.py
# (the tests' end-to-end data), read by CharadesDataset exactly like the
# release (charades_128x1x1.py; point CHARADES_ROOT at the set). Sized for a
# CPU: 64x96 frames, 16-frame clips. Train: a random window of 32 frames,
# every 2nd kept, labelled with the actions it overlaps; short side 48, flip.
# Val: 1 centred window. Test: 4 evenly spaced windows, fully convolutional:
# inputs (4, 3, 16, 48, 72), the views' sigmoid scores max-pooled by the head
# (MultiLabelI3DHead). Metric: CharadesMeanAP.
_base_ = ['./charades_128x1x1.py']

train_pipeline = [
    dict(
        type='RandomWindowSample',
        window=32,
        stride=2,
        out_of_bound_opt='loop'),
    dict(type='WindowActionLabels'),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 48)),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]


def _test_pipeline(num_clips):
    return [
        dict(
            type='EvenWindowSample',
            window=32,
            stride=2,
            num_clips=num_clips,
            out_of_bound_opt='loop'),
        dict(type='RawFrameDecode'),
        dict(type='Resize', scale=(-1, 48)),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs')
    ]


val_pipeline = _test_pipeline(1)
test_pipeline = _test_pipeline(4)

# no worker processes: the whole set is a few hundred small JPEGs
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=test_pipeline))
