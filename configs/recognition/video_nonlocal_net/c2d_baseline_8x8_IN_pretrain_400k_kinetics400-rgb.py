# C2D ResNet-50, 8 frames x rate 8, BN (resnet_video.py).
# Authors' Kinetics-400 val accuracy (theirs, 10 clips x 3 crops): 71.9 / 90.0.
# Test a converted release (tools/convert/video_nonlocal_net.py writes it):
#   python tools/test.py THIS_CONFIG \
#     checkpoints/video_nonlocal_net/c2d_baseline_8x8_IN_pretrain_400k.pth
_base_ = [
    '../../_base_/models/video-nonlocal-net_c2d_r50.py',
    '../../_base_/datasets/kinetics400_8x8x1_official-test.py',
    '../../_base_/schedules/sgd_400k.py', '../../_base_/default_runtime.py'
]
