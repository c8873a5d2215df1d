# Keypoint R-CNN R50-FPN with 4 non-local blocks in the keypoint head (paper
# Table 6, "NL, +4 in head", there with R101): one embedded-Gaussian NL block
# after every 2 of the head's 8 convs, each starting as the identity.
_base_ = ['./keypoint-rcnn_r50_fpn_1x_coco.py']

model = dict(roi_head=dict(keypoint_head=dict(non_local_interval=2)))
