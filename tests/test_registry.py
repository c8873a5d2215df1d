"""One scope rule: NL blocks in MMEngine's root registry (found from every
scope), video parts in ``mmaction.registry``, detection parts in
``mmdet.registry``; none of them leaks into the other framework's scope."""
import mmaction.registry as action_registries
import mmdet.registry as det_registries
import pytest
from mmengine import registry as root_registries
from mmengine.registry import DefaultScope

BLOCKS = ['NonLocalBlock1d', 'NonLocalBlock2d', 'NonLocalBlock3d']
ACTION = [
    ('MODELS', 'NLResNet3d'), ('TRANSFORMS', 'RandomWindowSample'),
    ('TRANSFORMS', 'EvenWindowSample'), ('TRANSFORMS', 'CheckedDecordInit'),
    ('TRANSFORMS', 'DecordUniqueDecode'), ('DATASETS', 'RobustVideoDataset'),
    ('METRICS', 'ClipVideoAccuracy'), ('TRANSFORMS', 'SlidingWindowSample'),
    ('MODELS', 'VideoLevelI3DHead'), ('MODELS', 'FullyConvHead'),
    ('DATASETS', 'CharadesDataset'), ('TRANSFORMS', 'WindowActionLabels'),
    ('MODELS', 'MultiLabelI3DHead'), ('METRICS', 'CharadesMeanAP'),
    ('HOOKS', 'SkippedVideosHook')
]
DET = [('MODELS', 'NLResNet'), ('MODELS', 'NLResNeXt'),
       ('MODELS', 'NLKeypointHead'), ('MODELS', 'KeypointRoIHead'),
       ('TRANSFORMS', 'LoadKeypoints'),
       ('TRANSFORMS', 'PackDetKeypointInputs'),
       ('DATASETS', 'CocoKeypointDataset'), ('METRICS', 'CocoKeypointMetric')]
FRAMEWORKS = {'mmaction': action_registries, 'mmdet': det_registries}


def _own(registries, registry: str, name: str) -> bool:
    """Whether the registry itself (not a parent) holds ``name``."""
    return name in getattr(registries, registry).module_dict


@pytest.mark.parametrize('scope', ['mmaction', 'mmdet'])
@pytest.mark.parametrize('name', BLOCKS)
def test_blocks_live_in_the_root_and_are_found_from_both_scopes(scope, name):
    assert _own(root_registries, 'MODELS', name)
    with DefaultScope.overwrite_default_scope(scope):
        assert FRAMEWORKS[scope].MODELS.get(name) is not None


@pytest.mark.parametrize('registry,name', ACTION)
def test_video_parts_live_in_mmaction_only(registry, name):
    assert _own(action_registries, registry, name)
    assert not _own(root_registries, registry, name)
    assert not _own(det_registries, registry, name)


@pytest.mark.parametrize('registry,name', DET)
def test_detection_parts_live_in_mmdet_only(registry, name):
    assert _own(det_registries, registry, name)
    assert not _own(root_registries, registry, name)
    assert not _own(action_registries, registry, name)
