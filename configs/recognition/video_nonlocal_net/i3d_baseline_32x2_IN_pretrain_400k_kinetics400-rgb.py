# I3D 3x1x1 ResNet-50, 32 frames x rate 2, BN.
# Authors' Kinetics-400 val accuracy (theirs, 10 clips x 3 crops): 73.6 / 90.8.
# Test a converted release (tools/convert/video_nonlocal_net.py writes it):
#   python tools/test.py THIS_CONFIG \
#     checkpoints/video_nonlocal_net/i3d_baseline_32x2_IN_pretrain_400k.pth
# resnet_video_org.py ("the original architectures of the paper"): conv1
# temporal stride 2, pool1 2x3x3 with stride 2x2x2 and no padding.
_base_ = [
    '../../_base_/models/video-nonlocal-net_i3d_r50.py',
    '../../_base_/datasets/kinetics400_32x2x1_official-test.py',
    '../../_base_/schedules/sgd_400k.py', '../../_base_/default_runtime.py'
]

model = dict(
    backbone=dict(conv1_stride_t=2, pool1_kernel_t=2, pool1_stride_t=2))
