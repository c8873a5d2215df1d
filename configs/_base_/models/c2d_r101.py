# C2D ResNet-101: "built in the same way" as the ResNet-50 of Table 1.
# ImageNet init from a local file, see c2d_r50.py.
_base_ = './c2d_r50.py'

model = dict(
    backbone=dict(depth=101, pretrained='checkpoints/imagenet/resnet101.pth'))
