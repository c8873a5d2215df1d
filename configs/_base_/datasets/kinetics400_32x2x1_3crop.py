# Kinetics-400, 32 frames out of 64, tested as the official code does: 10 clips
# x 3 crops of 256x256 (start / centre / end along the long side) after
# resizing the short side to 256, fully convolutional on each crop: inputs (30,
# 3, 32, 256, 256). The softmax scores of all 30 views are averaged
# (ClipVideoAccuracy). Train and val as kinetics400_32x2x1.py.
_base_ = ['./kinetics400_32x2x1.py']

test_pipeline = [
    *_base_.
    test_pipeline[:4],  # decord init, 10 even windows, decode, short side 256
    dict(type='ThreeCrop', crop_size=256),
    *_base_.test_pipeline[4:]  # FormatShape, PackActionInputs
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
