# NL I3D ResNet-50, 32 frames x rate 4, BN frozen: 5 NL blocks without
# norm, those of res3 within runs of 4 frames.
# Authors' Kinetics-400 val accuracy (theirs, 10 clips x 3 crops): 76.5 / 92.6.
# Test a converted release (tools/convert/video_nonlocal_net.py writes it):
#   python tools/test.py THIS_CONFIG \
#     checkpoints/video_nonlocal_net/i3d_nonlocal_32x4_I3D_pretrain_400k.pth
_base_ = './i3d_baseline_32x4_I3D_pretrain_400k_kinetics400-rgb.py'

model = dict(backbone=dict(non_local='5-block'))
