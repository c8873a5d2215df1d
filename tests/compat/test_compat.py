"""The mmaction2 wheel work-around: used when the module is missing, a no-op
otherwise."""
import subprocess
import sys
import textwrap

from nl_plugin.compat import MissingModuleFinder
from nl_plugin.compat.mmaction_wheel import DRN_MODULE


def _run(code: str, cwd=None) -> str:
    result = subprocess.run(
        [sys.executable, '-c', textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_mmaction_models_import_after_nl_plugin_action():
    out = _run(f'''
        import sys
        import nl_plugin.action, mmaction.models, mmdet.models
        from mmaction.models import ResNet3d
        finder = [f for f in sys.meta_path
                  if type(f).__name__ == 'MissingModuleFinder']
        print(len(finder), '{DRN_MODULE}' in finder[0].provided)
    ''')
    # The published wheel lacks the module, so the finder had to provide it.
    assert out.split() == ['1', 'True']


def test_placeholder_drn_explains_itself():
    out = _run('''
        import nl_plugin.action
        from mmaction.models.localizers import DRN
        try:
            DRN()
        except ImportError as e:
            print(e)
    ''')
    assert 'does not ship' in out


def test_finder_is_a_no_op_when_the_module_exists(tmp_path):
    # A package that ships the module: the regular finder wins, ours is never
    # asked.
    pkg = tmp_path / 'shipped' / 'drn'
    pkg.mkdir(parents=True)
    (tmp_path / 'shipped' / '__init__.py').write_text('')
    (pkg / '__init__.py').write_text('')
    (pkg / 'drn.py').write_text('DRN = "real"\n')
    finder = MissingModuleFinder({
        'shipped.drn': None,
        'shipped.drn.drn': None
    })
    sys.path.insert(0, str(tmp_path))
    sys.meta_path.append(finder)
    try:
        from shipped.drn.drn import DRN
        assert DRN == 'real'
        assert finder.provided == []
    finally:
        sys.meta_path.remove(finder)
        sys.path.remove(str(tmp_path))
        for name in ('shipped', 'shipped.drn', 'shipped.drn.drn'):
            sys.modules.pop(name, None)


def test_finder_supplies_a_missing_module(tmp_path):
    (tmp_path / 'partial').mkdir()
    (tmp_path / 'partial' /
     '__init__.py').write_text('from .gone.mod import X\n')
    finder = MissingModuleFinder({
        'partial.gone':
        None,
        'partial.gone.mod':
        lambda m: setattr(m, 'X', 42)
    })
    sys.path.insert(0, str(tmp_path))
    sys.meta_path.append(finder)
    try:
        import partial
        assert partial.X == 42
        assert finder.provided == ['partial.gone', 'partial.gone.mod']
    finally:
        sys.meta_path.remove(finder)
        sys.path.remove(str(tmp_path))
        for name in ('partial', 'partial.gone', 'partial.gone.mod'):
            sys.modules.pop(name, None)
