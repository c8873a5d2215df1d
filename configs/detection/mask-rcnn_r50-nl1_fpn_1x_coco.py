# Mask R-CNN R50-FPN + 1 non-local block (paper Table 5, "R50 +1 NL"): one
# embedded-Gaussian NL block right before the last residual block of res4
# (i.e. after res4 block 4 of 0..5). The block starts as the identity
# (zero-init BN after W_z), so the ImageNet network is unchanged at the start
# of training.
_base_ = ['./mask-rcnn_r50_fpn_1x_coco.py']

# sub_sample: max-pool the phi / g embeddings 2x2 (paper Sec. 3.3, "adding a
# max pooling layer after phi and g"). Measured with
# tools/analysis/detection_complexity.py at 800x1216, the block then adds +4.7%
# FLOPs to the whole R50 Mask R-CNN (paper: "<5% computation"); without it,
# +9.1%.
model = dict(
    backbone=dict(
        type='NLResNet',
        non_local='1-block',
        non_local_cfg=dict(mode='embedded_gaussian', sub_sample=True)))

# NaN guard. Under fp16 AMP the NL block computes in fp32 and returns fp32, so
# affinities, dot-product sums and its weight gradients beyond the fp16 range
# do not overflow (tests/test_detection_numerics.py). What is left is a few bad
# early batches blowing up the gradients of the whole detector (the NaN losses
# users report with NL in Mask R-CNN). Clipping the global gradient norm bounds
# those steps and leaves ordinary ones untouched; max_norm=35 is the value
# mmdet uses in its own clipped detection configs (e.g. objects365 Faster R-CNN
# / RetinaNet).
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
