"""After ``import nl_plugin`` our types are found from the mmaction and mmdet scopes."""
import pytest
from mmengine.registry import DefaultScope

import nl_plugin  # noqa: F401

OUR_MODELS = ['NonLocalBlock1d', 'NonLocalBlock2d', 'NonLocalBlock3d', 'NLResNet3d',
              'NLResNet', 'NLKeypointHead', 'KeypointRoIHead']


@pytest.mark.parametrize('scope', ['mmaction', 'mmdet'])
@pytest.mark.parametrize('name', OUR_MODELS)
def test_models_found_from_downstream_scopes(scope, name):
    if scope == 'mmaction':
        from mmaction.registry import MODELS
        import mmaction.models  # noqa: F401
    else:
        from mmdet.registry import MODELS
        import mmdet.models  # noqa: F401
    with DefaultScope.overwrite_default_scope(scope):
        assert MODELS.get(name) is not None, f'{name} not found from {scope}'


@pytest.mark.parametrize('registry,name', [
    ('TRANSFORMS', 'RandomWindowSample'), ('TRANSFORMS', 'EvenWindowSample'),
    ('TRANSFORMS', 'CheckedDecordInit'), ('TRANSFORMS', 'DecordUniqueDecode'),
    ('DATASETS', 'RobustVideoDataset'), ('METRICS', 'ClipVideoAccuracy')])
def test_data_and_metrics_found_from_mmaction_scope(registry, name):
    import mmaction.registry as action_registries
    with DefaultScope.overwrite_default_scope('mmaction'):
        assert getattr(action_registries, registry).get(name) is not None


@pytest.mark.parametrize('registry,name', [
    ('TRANSFORMS', 'LoadKeypoints'), ('TRANSFORMS', 'ResizeKeypoints'),
    ('TRANSFORMS', 'FlipKeypoints'), ('TRANSFORMS', 'PackDetKeypointInputs'),
    ('DATASETS', 'CocoKeypointDataset'), ('METRICS', 'CocoKeypointMetric')])
def test_keypoint_data_and_metric_found_from_mmdet_scope(registry, name):
    import mmdet.registry as det_registries
    with DefaultScope.overwrite_default_scope('mmdet'):
        assert getattr(det_registries, registry).get(name) is not None
