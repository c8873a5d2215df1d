"""Using a trained recognizer: video-level classes, per-video features and
ONNX export (the library code of ``tools/infer.py``,
``tools/extract_features.py`` and ``tools/deployment/export_onnx.py``)."""
from .classify import classify_videos, format_table, write_json
from .feature_extraction import FeatureExtractor
from .feature_files import output_names, read_manifest, write_manifest
from .feature_run import extract_share
from .label_names import class_names, kinetics400_classes, read_label_map
from .model_loading import default_device, load_recognizer, load_weights
from .video_inputs import collect_videos
from .video_scores import top_k, video_probabilities

__all__ = [
    'classify_videos', 'format_table', 'write_json', 'FeatureExtractor',
    'output_names', 'read_manifest', 'write_manifest', 'extract_share',
    'class_names', 'kinetics400_classes', 'read_label_map', 'default_device',
    'load_recognizer', 'load_weights', 'collect_videos', 'top_k',
    'video_probabilities'
]
