# NL I3D ResNet-101, 5 blocks, on Charades (Table 4, "NL I3D [ours]": 37.5 mAP
# train/val, the paper's number). Fine-tuned from the Kinetics 128-frame NL I3D
# R101; recipe as i3d_r101_8xb1-128x1x1-200k_charades-rgb.py.
_base_ = './i3d_r101_8xb1-128x1x1-200k_charades-rgb.py'

model = dict(backbone=dict(non_local='5-block'))
load_from = ('work_dirs/nl-i3d_r101_8xb2-128x1x1-400k_kinetics400-rgb/'
             'iter_400000.pth')
