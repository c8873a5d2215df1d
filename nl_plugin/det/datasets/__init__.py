"""A synthetic COCO-format set for detection smoke tests and demos."""
from .synthetic_coco import make_synthetic_coco

__all__ = ['make_synthetic_coco']
