"""nl_plugin: Non-local Neural Networks (Wang et al., CVPR 2018) for OpenMMLab.

Import the part for your framework; each registers its modules where that
framework's configs look for them:

* ``nl_plugin.blocks``: the non-local block (torch, mmcv, mmengine only),
  registered in MMEngine's root ``MODELS`` so that every scope finds it;
* ``nl_plugin.action``: NL-ResNet3d, clip samplers, video data and metrics,
  registered in ``mmaction.registry``
  (``custom_imports=['nl_plugin.action']``);
* ``nl_plugin.det``: NLResNet and Keypoint R-CNN, registered in
  ``mmdet.registry`` (``custom_imports=['nl_plugin.det']``).

``import nl_plugin`` itself imports none of them.
"""
__version__ = '0.1.0'
