# Mask R-CNN R50-FPN baseline (paper Table 5, "R50 baseline"), end-to-end
# training on COCO train2017, evaluation on val2017, mmdet's 1x schedule (12
# epochs).
#
# mmdet's own `ResNet`; the NL configs swap in NLResNet, which has mmdet's
# layers and state-dict keys plus the NL blocks. tools/train.py refuses a
# remote checkpoint before the run: nothing is downloaded.
#
# ImageNet initialisation from a LOCAL file. Point it at yours with either
#   export NL_PLUGIN_R50_IMAGENET=/path/to/resnet50-0676ba61.pth
# or  --cfg-options model.backbone.init_cfg.checkpoint=/path/to/resnet50.pth
# (torchvision's ResNet-50 weights load as they are). For testing a trained
# model without that file: --cfg-options model.backbone.init_cfg=None
_base_ = ['mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py']

custom_imports = dict(imports=['nl_plugin.det'], allow_failed_imports=False)

pretrained = '{{$NL_PLUGIN_R50_IMAGENET:checkpoints/resnet50-0676ba61.pth}}'
model = dict(
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained)))
# written to a temporary file and renamed: a kill never leaves a partial file
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))
