"""Video transforms: window clip samplers, checked decord decoding, and the
window labels of multi-label training clips."""
from .checked_decord_init import CheckedDecordInit
from .unique_frame_decode import DecordUniqueDecode
from .window_labels import WindowActionLabels, actions_in_window
from .window_sample import (EvenWindowSample, RandomWindowSample,
                            SlidingWindowSample, WindowSampleBase)

__all__ = [
    'CheckedDecordInit', 'DecordUniqueDecode', 'RandomWindowSample',
    'EvenWindowSample', 'SlidingWindowSample', 'WindowSampleBase',
    'WindowActionLabels', 'actions_in_window'
]
