# Mask R-CNN R50-FPN + 1 non-local block (paper Table 5, "R50 +1 NL"): one
# embedded-Gaussian NL block right before the last residual block of res4
# (i.e. after res4 block 4 of 0..5). The block starts as the identity (zero-init
# BN after W_z), so the ImageNet network is unchanged at the start of training.
_base_ = ['./mask-rcnn_r50_fpn_1x_coco.py']

model = dict(
    backbone=dict(
        non_local='1-block',
        non_local_cfg=dict(mode='embedded_gaussian')))

# NaN guard. The NL block computes its softmax / dot-product aggregation in fp32
# under fp16 AMP, so large activations cannot overflow the affinity; what is
# left is a few bad early batches blowing up the gradients of the whole
# detector (the NaN losses users report with NL in Mask R-CNN). Clipping the
# global gradient norm bounds those steps and leaves ordinary ones untouched;
# max_norm=35 is the value mmdet uses in its own clipped detection configs
# (e.g. objects365 Faster R-CNN / RetinaNet).
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
