"""Packaging for nl_plugin: Non-local Neural Networks as an OpenMMLab plugin."""
from setuptools import find_packages, setup

INSTALL_REQUIRES = [
    'torch>=2.1',
    'mmengine==0.10.7',
    'mmcv>=2.1.0,<2.2.0',  # built from source with ops, see tools/setup_env.sh
    'mmaction2==1.2.0',
    'mmdet==3.3.0',
    'decord==0.6.0',
    'pycocotools>=2.0.7',
    'importlib_metadata',  # imported by mmaction2 without being declared
    'numpy>=1.23',
    'opencv-python>=4.8',
    'matplotlib>=3.7',
    'pillow>=9.0',
    'tqdm>=4.60',
    'tensorboard>=2.14',
    'fvcore>=0.1.5',
    'imageio>=2.30',
    'einops>=0.6',
    'scipy>=1.10',
]

setup(
    name='nl_plugin',
    version='0.1.0',
    description='Non-local Neural Networks (Wang et al., CVPR 2018) as an OpenMMLab plugin',
    long_description=open('README.md', encoding='utf-8').read()
    if __import__('os').path.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['nl_plugin', 'nl_plugin.*']),
    python_requires='>=3.9',
    install_requires=INSTALL_REQUIRES,
    extras_require={'tests': ['pytest>=7.0', 'pytest-timeout>=2.1']},
    license='Apache-2.0',
)
