# Mask R-CNN X152-FPN baseline (paper Table 5, "X152 baseline"): the R50
# config with mmdet's ResNeXt-152. The paper names only "ResNeXt-152"; 32x8d
# (32 groups of width 8 in res2) is the ResNeXt-152 of Detectron's COCO
# baselines, our choice. mmdet's 1x schedule, as for R50/R101 (the paper
# gives none).
#
# ImageNet initialisation from a LOCAL file in mmdet's ResNeXt layout (the
# keys of mmdet's / MMPretrain's ResNeXt: conv1, bn1, layer1.0.conv1, ...).
# Nothing is downloaded; point it at yours with either
#   export NL_PLUGIN_X152_IMAGENET=/path/to/resnext152_32x8d.pth
# or  --cfg-options model.backbone.init_cfg.checkpoint=/path/to/file.pth
_base_ = ['./mask-rcnn_r50_fpn_1x_coco.py']

pretrained = '{{$NL_PLUGIN_X152_IMAGENET:checkpoints/resnext152_32x8d.pth}}'
model = dict(
    backbone=dict(
        type='ResNeXt',
        depth=152,
        groups=32,
        base_width=8,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)))
