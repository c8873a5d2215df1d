# Runtime for every recognition config: MMAction2's defaults with
# iteration-based checkpoints and logs, and TensorBoard next to the local
# json/scalars logs. (custom_imports of nl_plugin.action comes with the data
# set bases.)
_base_ = 'mmaction::_base_/default_runtime.py'

default_hooks = dict(
    logger=dict(interval=20,
                log_metric_by_epoch=False),  # val metrics by iteration
    checkpoint=dict(
        by_epoch=False, interval=10000, max_keep_ckpts=3, save_best='auto'))

log_processor = dict(by_epoch=False)

vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='TensorboardVisBackend')
]
visualizer = dict(vis_backends=vis_backends)
