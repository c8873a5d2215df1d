# Mask R-CNN R50-FPN + 1 NL block with the concatenation pairwise function
# instead of the embedded Gaussian (the paper's Table 2a instantiations,
# applied to detection).
_base_ = ['./mask-rcnn_r50-nl1_fpn_1x_coco.py']

model = dict(backbone=dict(non_local_cfg=dict(mode='concatenation')))
