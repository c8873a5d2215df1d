"""Loading the authors' released Kinetics models (facebookresearch/
video-nonlocal-net, Caffe2 pickles) into MMAction2 recognizers.

Not imported by ``nl_plugin.action``: ``from nl_plugin.action.convert
import convert_file`` (or ``tools/convert/video_nonlocal_net.py``).
"""
from .caffe2_pickle import UnsafePickleError, load_blobs
from .checkpoint import IncompleteConversion, convert_file
from .released_models import (ARCHITECTURES, RELEASED_MODELS, ReleasedModel,
                              infer_released_model, released_model)
from .video_nonlocal_net import ConversionReport, caffe2_names, convert_blobs

__all__ = [
    'UnsafePickleError', 'load_blobs', 'IncompleteConversion', 'convert_file',
    'ARCHITECTURES', 'RELEASED_MODELS', 'ReleasedModel',
    'infer_released_model', 'released_model', 'ConversionReport',
    'caffe2_names', 'convert_blobs'
]
