"""Process-group set-up for the Runner, also on machines without a GPU.

MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally, which
fails on a CPU-only torch, and its default DDP wrapper passes
``device_ids=[LOCAL_RANK]``, which DDP rejects for CPU modules. Without a GPU
we therefore initialise a ``gloo`` process group ourselves (the Runner skips
``init_dist`` when one exists) and ask for ``MMDistributedDataParallel`` with
``device_ids=None``. With GPUs, everything is left to the Runner.
"""
import os
import subprocess
from typing import Dict, Mapping, Tuple

import torch
import torch.distributed as dist
from mmengine.config import Config

from .errors import ConfigError

LAUNCHERS = ('none', 'pytorch', 'slurm')


def _first_host(nodelist: str) -> str:
    """The first host name of a SLURM node list, or ``127.0.0.1`` without
    scontrol."""
    try:
        out = subprocess.run(['scontrol', 'show', 'hostnames', nodelist],
                             check=True,
                             capture_output=True,
                             text=True).stdout.split()
        return out[0] if out else '127.0.0.1'
    except (OSError, subprocess.CalledProcessError):
        return '127.0.0.1'


def slurm_env(env: Mapping[str, str]) -> Dict[str, str]:
    """torchrun-style variables (RANK, WORLD_SIZE, ...) from SLURM's for one
    task.

    ``MASTER_ADDR`` defaults to the first node, ``MASTER_PORT`` to ``PORT`` or
    29500.
    """
    out = {
        'RANK': env['SLURM_PROCID'],
        'WORLD_SIZE': env['SLURM_NTASKS'],
        'LOCAL_RANK': env['SLURM_LOCALID'],
        'LOCAL_WORLD_SIZE': env.get('SLURM_NTASKS_PER_NODE',
                                    env['SLURM_NTASKS'])
    }
    out['MASTER_PORT'] = env.get('MASTER_PORT', env.get('PORT', '29500'))
    out['MASTER_ADDR'] = env.get('MASTER_ADDR') or _first_host(
        env.get('SLURM_NODELIST', ''))
    return out


def check_devices(launcher: str, env: Mapping[str, str] = os.environ) -> None:
    """Fails when more processes per node are asked for than there are GPUs
    (or, without GPUs, CPU cores)."""
    if launcher not in LAUNCHERS:
        raise ConfigError(
            f'--launcher: must be one of {list(LAUNCHERS)}, got {launcher!r}')
    if launcher == 'none':
        return
    per_node = env.get('LOCAL_WORLD_SIZE') or \
        env.get('SLURM_NTASKS_PER_NODE') or \
        env.get('WORLD_SIZE') or env.get('SLURM_NTASKS') or '1'
    per_node = int(per_node.split('(')[0])  # SLURM may write "4(x2)"
    if torch.cuda.is_available():
        available, what = torch.cuda.device_count(), 'GPU(s) visible'
    else:
        available, what = os.cpu_count() or 1, 'CPU core(s) and no GPU'
    if per_node > available:
        raise ConfigError(
            f'GPUS: {per_node} processes per node requested but this '
            f'machine has {available} {what}')


def _cpu_wrapper_cfg(cfg: Config) -> dict:
    wrapper = dict(
        cfg.get('model_wrapper_cfg') or dict(
            type='MMDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False)))
    wrapper['device_ids'] = None
    return wrapper


def init_gloo(launcher: str, env=os.environ) -> None:
    """A ``gloo`` process group from the variables of torchrun (``pytorch``)
    or SLURM (``slurm``, translated into torchrun's and written to ``env``)."""
    if launcher == 'slurm':
        env.update(slurm_env(env))
    env.setdefault('MASTER_ADDR', '127.0.0.1')
    env.setdefault('MASTER_PORT', '29500')
    dist.init_process_group(
        'gloo', rank=int(env['RANK']), world_size=int(env['WORLD_SIZE']))


def tool_process_group(launcher: str, env=os.environ) -> Tuple[int, int]:
    """``(rank, world size)`` of a tool that shares work between processes
    without the Runner; joins a ``gloo`` group (enough to gather small
    results, with or without GPUs) unless ``launcher`` is ``none``."""
    check_devices(launcher, env)
    if launcher == 'none':
        return 0, 1
    if not dist.is_initialized():
        init_gloo(launcher, env)
    return dist.get_rank(), dist.get_world_size()


def setup_distributed(cfg: Config, env=os.environ) -> None:
    """Prepares ``cfg`` (and the process group, without a GPU) for its
    launcher.

    Args:
        cfg (Config): The config; ``cfg.launcher`` is ``none``, ``pytorch`` or
            ``slurm``.
        env: Environment to read (and, for SLURM, fill in); ``os.environ`` by
        default.
    """
    launcher = cfg.get('launcher', 'none')
    check_devices(launcher, env)
    if launcher == 'none' or torch.cuda.is_available() or dist.is_initialized(
    ):
        return
    init_gloo(launcher, env)
    cfg.env_cfg = dict(cfg.get('env_cfg') or {})
    cfg.env_cfg['dist_cfg'] = dict(
        cfg.env_cfg.get('dist_cfg') or {}, backend='gloo')
    cfg.model_wrapper_cfg = _cpu_wrapper_cfg(cfg)
