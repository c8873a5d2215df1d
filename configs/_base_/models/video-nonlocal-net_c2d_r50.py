# C2D ResNet-50 of the Kinetics models released with the authors' code
# (facebookresearch/video-nonlocal-net, lib/models/resnet_video.py: the 8x8
# and 32x4 models; the 32x2 / 128x1 configs switch to resnet_video_org.py's
# stem). Differences from the paper configs (c2d_r50.py): conv1 temporal
# stride 1; pool1 1x3x3, stride 1x2x2, **no padding** (Caffe2 floors: 112 ->
# 55); pool2 2x1x1; NL blocks as nonlocal_helper.py (x pooled before phi/g,
# affinity scaled by 1/sqrt(512), embeddings initialised with std 0.01); the
# official head (average pool (T, 7, 7) stride 1, the classifier at every
# position, per-position softmax averaged at test time); pixels normalised
# with 114.75 / 57.375 on RGB. Weights come from a converted release
# (tools/convert/video_nonlocal_net.py), so no ImageNet inflation.
_base_ = './c2d_r50.py'

model = dict(
    backbone=dict(
        pretrained=None,
        conv1_stride_t=1,
        pool1_kernel_t=1,
        pool1_stride_t=1,
        pool1_padding_s=0,
        pool2_kernel_t=2,
        non_local_cfg=dict(use_scale=True, init_std=0.01)),
    cls_head=dict(type='FullyConvHead', spatial_pool_size=7),
    data_preprocessor=dict(mean=[114.75] * 3, std=[57.375] * 3))
