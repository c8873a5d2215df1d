# Keypoint R-CNN R101-FPN (paper Table 6, "NL, +4 in head, +1 in backbone"):
# the R50 config with a ResNet-101. Local ImageNet checkpoint: export
# NL_PLUGIN_R101_IMAGENET=/path/to/resnet101.pth or --cfg-options
# model.backbone.init_cfg.checkpoint=/path/to/resnet101.pth
_base_ = ['./keypoint-rcnn_r50-nl1-nl-head_fpn_1x_coco.py']

pretrained = '{{$NL_PLUGIN_R101_IMAGENET:checkpoints/resnet101-63fe2227.pth}}'
model = dict(
    backbone=dict(
        depth=101, init_cfg=dict(type='Pretrained', checkpoint=pretrained)))
