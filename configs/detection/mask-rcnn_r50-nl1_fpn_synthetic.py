# Mask R-CNN R50-FPN + 1 NL block on the synthetic shapes set written by
# tools/data/make_synthetic_coco.py: 3 classes, 128x96 images, CPU-sized
# loaders, random initialisation (no ImageNet file needed). A smoke test of the
# whole train / val path, not a benchmark:
#   python tools/data/make_synthetic_coco.py data/synthetic_coco
#   NL_PLUGIN_SYNTHETIC_COCO=data/synthetic_coco python tools/train.py <this
#   file>
_base_ = ['./mask-rcnn_r50-nl1_fpn_1x_coco.py']

data_root = '{{$NL_PLUGIN_SYNTHETIC_COCO:data/synthetic_coco}}/'
metainfo = dict(classes=('rectangle', 'ellipse', 'triangle'))
image_scale = (128, 96)

# Few proposals and sampled RoIs: the mask head's four 3x3 convs over every
# positive RoI otherwise dominate a CPU iteration; the images hold <= 3
# objects.
model = dict(
    backbone=dict(init_cfg=None),
    roi_head=dict(
        bbox_head=dict(num_classes=len(metainfo['classes'])),
        mask_head=dict(num_classes=len(metainfo['classes']))),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=500, max_per_img=100),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(
        rpn=dict(nms_pre=500, max_per_img=100), rcnn=dict(max_per_img=20)))

# mmdet's COCO pipelines with the Resize scale set to the small images.
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
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    **loader,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='val/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
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
