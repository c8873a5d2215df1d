# I3D R101 on Charades, tested with 10 clips x 3 crops of 320x320
# (the 30 views' sigmoid scores max-pooled); training as the 10-clip config.
_base_ = './i3d_r101_8xb1-128x1x1-200k_charades-rgb.py'

test_dataloader = dict(dataset=dict(pipeline=_base_.test_pipeline_3crop))
