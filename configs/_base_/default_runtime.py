# Runtime for every recognition config: MMAction2's defaults with
# iteration-based checkpoints and logs, and TensorBoard next to the local
# json/scalars logs. Checkpoints are written atomically (a kill at any moment
# leaves one to resume from), and skipped unreadable training videos are
# totalled per epoch / validation run. (custom_imports of nl_plugin.action
# comes with the data set bases.)
_base_ = 'mmaction::_base_/default_runtime.py'

default_hooks = dict(
    logger=dict(interval=20,
                log_metric_by_epoch=False),  # val metrics by iteration
    checkpoint=dict(
        type='AtomicCheckpointHook',
        by_epoch=False,
        interval=10000,
        max_keep_ckpts=3,
        save_best='auto'))
custom_hooks = [dict(type='SkippedVideosHook')]

log_processor = dict(by_epoch=False)

vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='TensorboardVisBackend')
]
visualizer = dict(vis_backends=vis_backends)
