# The synthetic Charades-format set of tools/data/make_synthetic_charades.py
# (the tests' end-to-end data), read by CharadesDataset exactly like the
# release: Charades_v1_{classes.txt,train.csv,test.csv} and the 24 fps frames
# in Charades_v1_rgb/. Sized for a CPU: 64x96 frames, 16-frame clips. Train: a
# random window of 32 frames, every 2nd kept, labelled with the actions it
# overlaps; short side 48, flip. Val: 1 centred window. Test: 4 evenly spaced
# windows, fully convolutional: inputs (4, 3, 16, 48, 72), the views' sigmoid
# scores max-pooled by the head (MultiLabelI3DHead). Metric: CharadesMeanAP.
custom_imports = dict(imports=['nl_plugin.action'], allow_failed_imports=False)

dataset_type = 'CharadesDataset'
# The data set folder is data/synthetic_charades unless the environment sets
# SYNTHETIC_CHARADES_ROOT.
data_root = '{{$SYNTHETIC_CHARADES_ROOT:data/synthetic_charades}}'
classes_file = f'{data_root}/Charades_v1_classes.txt'
ann_file_train = f'{data_root}/Charades_v1_train.csv'
ann_file_val = f'{data_root}/Charades_v1_test.csv'
frames_root = f'{data_root}/Charades_v1_rgb'

train_pipeline = [
    dict(type='RandomWindowSample', window=32, stride=2, short_video='loop'),
    dict(type='WindowActionLabels'),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 48)),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(
        type='EvenWindowSample',
        window=32,
        stride=2,
        num_clips=1,
        short_video='loop'),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 48)),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(
        type='EvenWindowSample',
        window=32,
        stride=2,
        num_clips=4,
        short_video='loop'),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 48)),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        classes_file=classes_file,
        data_prefix=dict(img=frames_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        classes_file=classes_file,
        data_prefix=dict(img=frames_root),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        classes_file=classes_file,
        data_prefix=dict(img=frames_root),
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='CharadesMeanAP')
test_evaluator = dict(type='CharadesMeanAP', per_class=True)
