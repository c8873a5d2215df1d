# NL I3D ResNet-50 (5 NL blocks), 8 frames x rate 8, BN.
# Authors' Kinetics-400 val accuracy (theirs, 10 clips x 3 crops): 74.7 / 91.6.
# Test a converted release (tools/convert/video_nonlocal_net.py writes it):
#   python tools/test.py THIS_CONFIG \
#     checkpoints/video_nonlocal_net/i3d_nonlocal_8x8_IN_pretrain_400k.pth
_base_ = './i3d_baseline_8x8_IN_pretrain_400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='5-block'))
