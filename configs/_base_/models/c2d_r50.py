# C2D ResNet-50 of the paper's Table 1: every kernel is 1 x k x k, conv1 1x7x7
# with temporal stride 2, pool1 3x3x3 max with stride 2, pool2 3x1x1 max with
# stride 2. Recognizer3D, I3DHead (dropout 0.5 after global pooling) and the
# data preprocessor come from MMAction2's I3D base. The head
# (VideoLevelI3DHead) gives one prediction per video, the softmax averaged over
# the test views (the paper's test), as MMAction2's inference_recognizer, its
# Inferencer and demos expect, and keeps the scores of every view in
# view_scores: the data sets' ClipVideoAccuracy reports clip-level accuracy
# from them and video-level accuracy from their averaged softmax.
#
# ImageNet init: the backbone inflates a *local* 2D ResNet checkpoint
# (torchvision or MMPretrain layout); nothing is downloaded. Download
# torchvision's ResNet-50 ImageNet weights yourself and put them at the path
# below, or point at your file:
#   --cfg-options model.backbone.pretrained=/path/to/resnet50.pth
# Training refuses to start while the file is missing.
_base_ = 'mmaction::_base_/models/i3d_r50.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='NLResNet3d',
        depth=50,
        pretrained='checkpoints/imagenet/resnet50.pth',
        pretrained2d=True,
        conv1_kernel=(1, 7, 7),
        conv1_stride_t=2,
        pool1_kernel_t=3,
        pool1_stride_t=2,
        pool2_kernel_t=3,
        inflate=(0, 0, 0, 0),
        norm_eval=False,  # BN trained during fine-tuning (paper Sec. 4.1)
        zero_init_residual=False,
        # No NL block unless a config sets non_local. Every NL experiment uses
        # this block: embedded Gaussian (the paper's default), half the
        # channels inside, x max-pooled 2x2 in space before phi and g as in
        # the authors' code, which gives the paper's complexity figures
        # (Table 2e; pooling after phi/g costs 4x more in those convs).
        non_local_cfg=dict(
            mode='embedded_gaussian',
            neighbourhood='spacetime',
            sub_sample=True,
            pool_position='before_embedding')),
    cls_head=dict(
        type='VideoLevelI3DHead', num_classes=400, average_clips='prob'))
