# I3D 3x1x1 ResNet-50, 8 frames x rate 8, BN (resnet_video.py). Also the
# architecture of i3d_baseline_8x8_IN_pretrain_300k (73.2 / 90.8),
# _600k_4gpu (73.0 / 90.4) and _300k_4gpu (72.0 / 90.1).
# Authors' Kinetics-400 val accuracy (theirs, 10 clips x 3 crops): 73.4 / 90.9.
# Test a converted release (tools/convert/video_nonlocal_net.py writes it):
#   python tools/test.py THIS_CONFIG \
#     checkpoints/video_nonlocal_net/i3d_baseline_8x8_IN_pretrain_400k.pth
_base_ = [
    '../../_base_/models/video-nonlocal-net_i3d_r50.py',
    '../../_base_/datasets/kinetics400_8x8x1_official-test.py',
    '../../_base_/schedules/sgd_400k.py', '../../_base_/default_runtime.py'
]
