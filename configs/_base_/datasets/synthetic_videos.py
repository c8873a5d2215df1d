# The synthetic video data set of tools/data/make_synthetic_videos.py (the
# demo's and the tests' default), sized for a CPU: 64x96 frames, 16-frame
# clips. Its classes depend on the order of events far apart in time, so short
# videos repeat the clip's last frame (out_of_bound_opt='repeat_last') rather
# than loop, which would replay the first events after the last ones. All
# classes are flip-invariant. The objects sit anywhere up to the frame's edges,
# so no crop: whole frames at short side 48 (48x72). Train: a random window of
# 96 frames, every 6th kept (16 frames), flip. Val: 1 centred window. Test: 10
# evenly spaced windows, fully convolutional: inputs (10, 3, 16, 48, 72), one
# video per batch. Both report clip- and video-level top-1 (ClipVideoAccuracy;
# top-5 would be 100% with few classes) from the per-view scores the head
# keeps (VideoLevelI3DHead's view_scores, or MMAction2's average_clips=None).
# 2 classes by default
# (tools/data/make_synthetic_videos.py --num-classes).
custom_imports = dict(imports=['nl_plugin.action'], allow_failed_imports=False)

# VideoDataset whose annotation lines are checked when it is built
dataset_type = 'RobustVideoDataset'
# The data set folder is data/synthetic_videos unless the environment sets
# SYNTHETIC_VIDEOS_ROOT.
data_root = '{{$SYNTHETIC_VIDEOS_ROOT:data/synthetic_videos}}'
ann_file_train = f'{data_root}/synthetic_train_list_videos.txt'
ann_file_val = f'{data_root}/synthetic_val_list_videos.txt'
ann_file_test = ann_file_val

train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='RandomWindowSample',
        window=96,
        stride=6,
        out_of_bound_opt='repeat_last'),
    dict(type='DecordUniqueDecode'),
    dict(type='Resize', scale=(-1, 48)),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='EvenWindowSample',
        window=96,
        stride=6,
        num_clips=1,
        out_of_bound_opt='repeat_last'),
    dict(type='DecordUniqueDecode'),
    dict(type='Resize', scale=(-1, 48)),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='EvenWindowSample',
        window=96,
        stride=6,
        num_clips=10,
        out_of_bound_opt='repeat_last'),
    dict(type='DecordUniqueDecode'),
    dict(type='Resize', scale=(-1, 48)),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(video=f'{data_root}/videos_train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=f'{data_root}/videos_val'),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_test,
        data_prefix=dict(video=f'{data_root}/videos_val'),
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='ClipVideoAccuracy', topk=(1, ))
test_evaluator = val_evaluator
