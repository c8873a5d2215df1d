"""Packaging for nl_plugin: Non-local Neural Networks as an OpenMMLab plugin.

mmcv is not a hard requirement (the OpenMMLab convention: mmaction2 and mmdet
do not declare it either): the video parts run on the pure-Python
``mmcv-lite==2.1.0``; detection needs mmcv 2.1.0 compiled with its ops.
``tools/setup_env.sh`` installs the right one.
"""
import os

from setuptools import find_packages, setup

INSTALL_REQUIRES = [
    'torch>=2.1',
    'mmengine==0.10.7',
    'mmaction2==1.2.0',
    'decord==0.6.0',
    'importlib_metadata',  # imported by mmaction2 without being declared
    'numpy>=1.23',
    'opencv-python>=4.8',
    'matplotlib>=3.7',
    'pillow>=9.0',
    'tqdm>=4.60',
    'tensorboard>=2.14',
]
EXTRAS_REQUIRE = {
    'det': ['mmdet==3.3.0', 'pycocotools>=2.0.7'],
    'tests': [
        'pytest>=7.0',
        'pytest-timeout>=2.1',
        'pre-commit>=3.5',
        'scikit-learn>=1.3'  # reference average precision of the mAP tests
    ],
    # tools/deployment/export_onnx.py and the ONNX Runtime benchmark only
    'deploy': ['onnx>=1.14', 'onnxruntime>=1.16'],
}


def _long_description() -> str:
    if not os.path.exists('README.md'):
        return ''
    with open('README.md', encoding='utf-8') as f:
        return f.read()


setup(
    name='nl_plugin',
    version='0.1.0',
    description='Non-local Neural Networks (Wang et al., CVPR 2018) as an '
    'OpenMMLab plugin',
    long_description=_long_description(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['nl_plugin', 'nl_plugin.*']),
    # the Kinetics-400 class names of tools/infer.py
    package_data={'nl_plugin.action.inference': ['*.txt']},
    python_requires='>=3.9',
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    license='Apache-2.0',
)
