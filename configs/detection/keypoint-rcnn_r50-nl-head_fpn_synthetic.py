# Keypoint R-CNN R50-FPN + 4 NL blocks in the keypoint head on the synthetic
# keypoint set written by tools/data/make_synthetic_coco.py --keypoints: one
# class ("figure", 5 keypoints), 128x96 images, CPU-sized loaders and head
# (128-channel convs instead of 512), random initialisation. A smoke test of
# the whole train / val path, not a benchmark:
#   python tools/data/make_synthetic_coco.py data/synthetic_keypoints
#   --keypoints NL_PLUGIN_SYNTHETIC_KEYPOINTS=data/synthetic_keypoints python
#   tools/train.py <this file>
_base_ = ['./keypoint-rcnn_r50-nl-head_fpn_1x_coco.py']

data_root = '{{$NL_PLUGIN_SYNTHETIC_KEYPOINTS:data/synthetic_keypoints}}/'
metainfo = dict(classes=('figure', ))
num_keypoints = 5
image_scale = (128, 96)

# Few proposals and sampled RoIs: the keypoint head's eight 3x3 convs over
# every positive RoI otherwise dominate a CPU iteration; the images hold <= 3
# objects.
model = dict(
    backbone=dict(init_cfg=None),
    roi_head=dict(
        keypoint_head=dict(num_keypoints=num_keypoints,
                           conv_out_channels=128)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=500, max_per_img=100),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(
        rpn=dict(nms_pre=500, max_per_img=100), rcnn=dict(max_per_img=20)))

train_pipeline = [
    dict(step, scale=image_scale) if step['type'] == 'Resize' else step
    for step in _base_.train_pipeline
]
test_pipeline = [
    dict(step, scale=image_scale) if step['type'] == 'Resize' else step
    for step in _base_.test_pipeline
]
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(
    **loader,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='train/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    **loader,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/person_keypoints_val.json',
        data_prefix=dict(img='val/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_ann_file = data_root + 'annotations/person_keypoints_val.json'
# OKS sigma of every figure keypoint; about COCO's mean person sigma
keypoint_sigmas = [0.05] * num_keypoints
val_evaluator = [
    dict(
        type='CocoKeypointMetric',
        ann_file=val_ann_file,
        sigmas=keypoint_sigmas),
    dict(type='CocoMetric', ann_file=val_ann_file, metric='bbox'),
]
test_evaluator = val_evaluator

train_cfg = dict(max_epochs=12, val_interval=12)
optim_wrapper = dict(optimizer=dict(lr=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10),
    dict(
        type='MultiStepLR',
        begin=0,
        end=12,
        by_epoch=True,
        milestones=[8, 11],
        gamma=0.1)
]
default_hooks = dict(logger=dict(interval=4))
