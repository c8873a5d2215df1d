# NL C2D ResNet-50 (5 NL blocks: res3 blocks 1, 3; res4 blocks 1, 3, 5),
# 8 frames x rate 8, BN.
# Authors' Kinetics-400 val accuracy (theirs, 10 clips x 3 crops): 74.4 / 91.4.
# Test a converted release (tools/convert/video_nonlocal_net.py writes it):
#   python tools/test.py THIS_CONFIG \
#     checkpoints/video_nonlocal_net/c2d_nonlocal_8x8_IN_pretrain_400k.pth
_base_ = './c2d_baseline_8x8_IN_pretrain_400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='5-block'))
