# Mixing example: MMAction2's stock I3D ResNet-50 config, taken from the
# installed mmaction2 package (nothing copied), with its backbone switched to
# our NLResNet3d and 5 embedded-Gaussian non-local blocks. Everything else
# (data pipeline, 100-epoch schedule, runtime) stays MMAction2's. The same
# three steps work for any MMAction2 config with a ResNet3d backbone (SlowOnly,
#     ...):
#   1. inherit it with the 'mmaction::' prefix;
#   2. import nl_plugin.action (custom_imports) so that NLResNet3d is
#      registered;
#   3. set model.backbone.type='NLResNet3d' and its non_local layout.
# NLResNet3d takes every ResNet3d argument, so the stock ones carry over. It
# reads ImageNet weights only from a local file, not from 'torchvision://':
# download torchvision's ResNet-50 weights and point model.backbone.pretrained
# at them.
_base_ = [
    'mmaction::recognition/i3d/'
    'i3d_imagenet-pretrained-r50_8xb8-32x2x1-100e_kinetics400-rgb.py'
]

custom_imports = dict(imports=['nl_plugin.action'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        type='NLResNet3d',
        pretrained='checkpoints/imagenet/resnet50.pth',
        non_local='5-block',
        non_local_cfg=dict(mode='embedded_gaussian', sub_sample=True)))
