# Charades (paper Sec. 5, Table 4), the official release read as it comes
# (CharadesDataset): Charades_v1_classes.txt, Charades_v1_train.csv (train),
# Charades_v1_test.csv (the "val" of Table 4's train/val column) and the 24
# fps RGB frames Charades_v1_rgb/{id}/{id}-000001.jpg ...; data layout in
# tools/data/charades/README.md. 157 classes, multi-label.
# Train: a random window of 128 consecutive frames (the clip of the Kinetics
#   128-frame model the fine-tuning starts from; the paper gives no Charades
#   clip length), labelled with the actions overlapping it
#   (WindowActionLabels); Kinetics-style jitter: short side random in [256,
#   320] and a random 224x224 window, which is then rescaled to 288x288
#   (paper: "rescale the video such that this cropping window outputs 288x288
#   pixels"); flip. 1 clip per GPU.
# Val (during training, for speed): 1 centred clip, short side 320, fully
#   convolutional.
# Test: a single scale, short side 320 (paper), fully convolutional; 10 clips
#   evenly spaced (the paper's test protocol for Kinetics; it states none for
#   Charades); the per-class sigmoid scores of a video's views are max-pooled
#   (MultiLabelI3DHead, view_pooling='max'). test_pipeline_3crop: 10 clips x 3
#   crops of 320x320 (start / centre / end along the long side), the protocol
#   of later work (e.g. PySlowFast's Charades configs pool 30 views by max).
# Metric: CharadesMeanAP, mAP over the classes with a positive video.
# Videos instead of frames: data_prefix=dict(video=.../Charades_v1_480) and
# CheckedDecordInit + DecordUniqueDecode in place of RawFrameDecode
# (CheckedDecordInit first, before the sampler).
custom_imports = dict(imports=['nl_plugin.action'], allow_failed_imports=False)

# The data set folder is data/charades unless the environment sets
# CHARADES_ROOT.
data_root = '{{$CHARADES_ROOT:data/charades}}'
classes_file = f'{data_root}/Charades_v1_classes.txt'
ann_file_train = f'{data_root}/Charades_v1_train.csv'
ann_file_val = f'{data_root}/Charades_v1_test.csv'
frames_root = f'{data_root}/Charades_v1_rgb'

train_pipeline = [
    dict(
        type='RandomWindowSample',
        window=128,
        stride=1,
        out_of_bound_opt='loop'),
    dict(type='WindowActionLabels'),
    dict(type='RawFrameDecode'),
    dict(type='RandomRescale', scale_range=(256, 320)),
    dict(type='RandomCrop', size=224),
    dict(type='Resize', scale=(288, 288), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(
        type='EvenWindowSample',
        window=128,
        stride=1,
        num_clips=1,
        out_of_bound_opt='loop'),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 320)),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(
        type='EvenWindowSample',
        window=128,
        stride=1,
        num_clips=10,
        out_of_bound_opt='loop'),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 320)),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline_3crop = [
    *test_pipeline[:3],  # 10 even windows, decode, short side 320
    dict(type='ThreeCrop', crop_size=320),
    *test_pipeline[3:]  # FormatShape, PackActionInputs
]


def _loader(pipeline, ann_file, test_mode):
    """A dataloader of CharadesDataset, 1 video per GPU (fully convolutional
    tests: frame widths differ between videos)."""
    return dict(
        batch_size=1,  # training: the paper's 1 clip per GPU
        num_workers=8,
        persistent_workers=True,
        sampler=dict(type='DefaultSampler', shuffle=not test_mode),
        dataset=dict(
            type='CharadesDataset',
            ann_file=ann_file,
            classes_file=classes_file,
            data_prefix=dict(img=frames_root),
            pipeline=pipeline,
            test_mode=test_mode))


train_dataloader = _loader(train_pipeline, ann_file_train, False)
val_dataloader = _loader(val_pipeline, ann_file_val, True)
test_dataloader = _loader(test_pipeline, ann_file_val, True)

val_evaluator = dict(type='CharadesMeanAP')
test_evaluator = dict(type='CharadesMeanAP', per_class=True)
