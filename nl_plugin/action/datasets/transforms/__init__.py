"""Video transforms: window clip samplers and checked decord decoding."""
from .checked_decord_init import CheckedDecordInit
from .unique_frame_decode import DecordUniqueDecode
from .window_sample import (EvenWindowSample, RandomWindowSample,
                            SlidingWindowSample, WindowSampleBase)

__all__ = [
    'CheckedDecordInit', 'DecordUniqueDecode', 'RandomWindowSample',
    'EvenWindowSample', 'SlidingWindowSample', 'WindowSampleBase'
]
