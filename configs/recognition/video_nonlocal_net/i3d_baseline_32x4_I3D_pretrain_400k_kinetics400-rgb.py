# I3D 3x1x1 ResNet-50, 32 frames x rate 4, BN frozen (resnet_video.py),
# fine-tuned by the authors from i3d_baseline_8x8 with lr 0.0025 for 16 clips.
# Authors' Kinetics-400 val accuracy (theirs, 10 clips x 3 crops): 75.5 / 92.0.
# Test a converted release (tools/convert/video_nonlocal_net.py writes it):
#   python tools/test.py THIS_CONFIG \
#     checkpoints/video_nonlocal_net/i3d_baseline_32x4_I3D_pretrain_400k.pth
_base_ = [
    '../../_base_/models/video-nonlocal-net-frozen_i3d_r50.py',
    '../../_base_/datasets/kinetics400_32x4x1_official-test.py',
    '../../_base_/schedules/sgd_400k_128-frame.py',
    '../../_base_/default_runtime.py'
]
