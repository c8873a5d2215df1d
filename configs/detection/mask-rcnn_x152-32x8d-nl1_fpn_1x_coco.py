# Mask R-CNN X152-FPN + 1 NL block (paper Table 5, "X152 +1 NL"): the R50 +1
# NL config with the ResNeXt-152 32x8d of mask-rcnn_x152-32x8d_fpn_1x_coco.py;
# the NL block follows res4 block 34 of 0..35, right before the last one.
# Local ImageNet checkpoint: export
# NL_PLUGIN_X152_IMAGENET=/path/to/resnext152_32x8d.pth or --cfg-options
# model.backbone.init_cfg.checkpoint=/path/to/file.pth
_base_ = ['./mask-rcnn_r50-nl1_fpn_1x_coco.py']

pretrained = '{{$NL_PLUGIN_X152_IMAGENET:checkpoints/resnext152_32x8d.pth}}'
model = dict(
    backbone=dict(
        type='NLResNeXt',
        depth=152,
        groups=32,
        base_width=8,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)))
