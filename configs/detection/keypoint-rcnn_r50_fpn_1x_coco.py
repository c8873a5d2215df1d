# Keypoint R-CNN R50-FPN baseline (Mask R-CNN paper's keypoint model; the base
# of paper Table 6): mmdet's two-stage detector with one class (person), no
# mask
# branch, and a keypoint branch (KeypointRoIHead): 14x14 RoIAlign features ->
# NLKeypointHead (8 3x3 convs, deconv, 2x upsampling) -> 17 56x56 heatmaps.
#     This
# baseline has no NL block (non_local_interval=0). COCO person_keypoints
# train2017 / val2017; keypoint AP by CocoKeypointMetric, box AP by mmdet's
# CocoMetric. The paper gives no schedule (nor does Table 6 use R50): mmdet's
# 1x. Backbone and ImageNet initialisation as in mask-rcnn_r50_fpn_1x_coco.py.
_base_ = ['./mask-rcnn_r50_fpn_1x_coco.py']

num_keypoints = 17
model = dict(
    type='FasterRCNN',  # boxes + the RoI head's keypoints, no masks
    roi_head=dict(
        type='KeypointRoIHead',
        bbox_head=dict(num_classes=1),
        mask_roi_extractor=None,
        mask_head=None,
        keypoint_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
            out_channels=256,
            featmap_strides=[4, 8, 16, 32]),
        keypoint_head=dict(
            type='NLKeypointHead',
            num_keypoints=num_keypoints,
            in_channels=256,
            non_local_interval=0)))

data_root = 'data/coco/'
metainfo = dict(classes=('person', ))
# The keypoints follow every geometric transform that records its
# homography_matrix (mmdet's Resize, RandomFlip, RandomCrop, RandomAffine ...),
# moved once by PackDetKeypointInputs; left and right swap on a flip.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='LoadKeypoints'),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetKeypointInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor')),
]
train_dataloader = dict(
    dataset=dict(
        type='CocoKeypointDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/person_keypoints_train2017.json',
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type='CocoKeypointDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/person_keypoints_val2017.json',
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_ann_file = data_root + 'annotations/person_keypoints_val2017.json'
keypoint_sigmas = None  # COCO's 17 person sigmas
val_evaluator = [
    dict(
        type='CocoKeypointMetric',
        ann_file=val_ann_file,
        sigmas=keypoint_sigmas),
    dict(type='CocoMetric', ann_file=val_ann_file, metric='bbox'),
]
test_evaluator = val_evaluator
