"""Evaluation: clip- and video-level accuracy."""
