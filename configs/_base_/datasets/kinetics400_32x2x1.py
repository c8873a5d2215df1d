# Kinetics-400 with the paper's protocol (Sec. 4.1 and Inference), decoded by
# decord.
# Train: a random window of 64 consecutive frames, every 2nd kept (32 frames);
# short
#   side random in [256, 320], 224x224 random crop, horizontal flip. Unreadable
#   videos are skipped with a logged warning and a count (RobustVideoDataset).
# Val (during training, for speed): 1 centred clip, short side 256, 224x224
#     centre crop.
# Test: 10 windows evenly spaced in time, short side 256, fully convolutional
# (no crop):
#   inputs (10, 3, 32, 256, W), one video per batch.
# Both report clip- and video-level top-1/top-5 (ClipVideoAccuracy) from the
# per-view scores the head keeps (VideoLevelI3DHead's view_scores, or
# MMAction2's average_clips=None). Frame-rate-aware windows for Kinetics'
# mixed frame rates (MMAction2's target_fps): a 64-frame window at 30 fps
# covers 64 / 30 s at any frame rate, e.g.
#   dict(type='RandomWindowSample', window=64, stride=2, target_fps=30).
# Data layout: see tools/data/kinetics/README.md.
custom_imports = dict(imports=['nl_plugin.action'], allow_failed_imports=False)

# VideoDataset whose annotation lines are checked when it is built
dataset_type = 'RobustVideoDataset'
# The data set folder is data/kinetics400 unless the environment sets
# KINETICS400_ROOT.
data_root = '{{$KINETICS400_ROOT:data/kinetics400}}/videos_train'
data_root_val = '{{$KINETICS400_ROOT:data/kinetics400}}/videos_val'
ann_file_train = ('{{$KINETICS400_ROOT:data/kinetics400}}'
                  '/kinetics400_train_list_videos.txt')
ann_file_val = ('{{$KINETICS400_ROOT:data/kinetics400}}'
                '/kinetics400_val_list_videos.txt')
ann_file_test = ann_file_val

train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='RandomWindowSample',
        window=64,
        stride=2,
        out_of_bound_opt='loop'),
    dict(type='DecordUniqueDecode'),
    dict(type='RandomRescale', scale_range=(256, 320)),
    dict(type='RandomCrop', size=224),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='EvenWindowSample',
        window=64,
        stride=2,
        num_clips=1,
        out_of_bound_opt='loop'),
    dict(type='DecordUniqueDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='EvenWindowSample',
        window=64,
        stride=2,
        num_clips=10,
        out_of_bound_opt='loop'),
    dict(type='DecordUniqueDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=8,  # paper: 8 clips per GPU, 8 GPUs
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='RobustVideoDataset',
        skip_unreadable=True,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root_val),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,  # fully convolutional: frame widths differ between videos
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_test,
        data_prefix=dict(video=data_root_val),
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='ClipVideoAccuracy', topk=(1, 5))
test_evaluator = val_evaluator
