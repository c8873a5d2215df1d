# Keypoint R-CNN R50-FPN with 4 NL blocks in the keypoint head and 1 in the
# backbone (paper Table 6, "NL, +4 in head, +1 in backbone", there with R101):
# the backbone block as in mask-rcnn_r50-nl1_fpn_1x_coco.py, right before the
# last residual block of res4, with 2x2 max-pooled phi / g and the same global
# gradient-norm clipping.
_base_ = ['./keypoint-rcnn_r50-nl-head_fpn_1x_coco.py']

model = dict(
    backbone=dict(
        type='NLResNet',
        non_local='1-block',
        non_local_cfg=dict(mode='embedded_gaussian', sub_sample=True)))
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
