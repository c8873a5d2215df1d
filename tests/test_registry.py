"""After ``import nl_plugin`` our types are found from the mmaction and mmdet scopes."""
import pytest
from mmengine.registry import DefaultScope

import nl_plugin  # noqa: F401

OUR_MODELS = ['NonLocalBlock1d', 'NonLocalBlock2d', 'NonLocalBlock3d', 'NLResNet3d',
              'NLResNet']


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
