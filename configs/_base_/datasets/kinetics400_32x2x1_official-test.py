# Kinetics-400, 32 frames out of 64, tested as the authors' test_net_video.py
# tests the released models: 10 clips, clip k starting at frame
# int(k * num_frames / 10) with frame indices wrapping around the video end,
# each resized to short side 256 and cut into 3 crops of 256x256 (start /
# centre / end of the long side), fully convolutional on each crop: inputs
# (30, 3, 32, 256, 256); the softmax scores of the 30 views are averaged
# (ClipVideoAccuracy). Train and val as kinetics400_32x2x1.py.
_base_ = ['./kinetics400_32x2x1_3crop.py']

test_pipeline = [
    _base_.test_pipeline[0],
    dict(
        type='EvenWindowSample',
        window=64,
        stride=2,
        num_clips=10,
        spacing='wrap',
        out_of_bound_opt='loop'), *_base_.test_pipeline[2:]
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
