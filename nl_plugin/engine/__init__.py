"""Running configs: checks before a run, CPU-friendly distributed set-up,
checkpoints that survive kills and are checked against the model, CLI glue."""
from .atomic_checkpoint import AtomicCheckpointHook, AtomicLocalBackend
from .checkpoint_fit import (CheckpointFit, check_checkpoint_fits,
                             checkpoint_fit, log_checkpoint_fit)
from .cli import (add_allow_partial, add_cfg_options, add_runner_arguments,
                  add_video_tool_arguments, parse_runner_args)
from .errors import CheckpointError, ConfigError
from .launch import (check_devices, setup_distributed, slurm_env,
                     tool_process_group)
from .resume import check_resumable, latest_checkpoint, set_resume
from .run_config import (build_model, config_scope, load_config, set_amp,
                         set_work_dir, use_atomic_checkpoints)
from .tool_runner import build_runner, runner_or_exit
from .validate import check_config, config_errors

__all__ = [
    'AtomicCheckpointHook', 'AtomicLocalBackend', 'CheckpointFit',
    'check_checkpoint_fits', 'checkpoint_fit', 'log_checkpoint_fit',
    'add_allow_partial', 'add_cfg_options', 'add_runner_arguments',
    'add_video_tool_arguments', 'parse_runner_args', 'CheckpointError',
    'ConfigError', 'check_config', 'config_errors', 'check_devices',
    'setup_distributed', 'slurm_env', 'tool_process_group', 'load_config',
    'set_amp', 'set_resume', 'check_resumable', 'latest_checkpoint',
    'set_work_dir', 'config_scope', 'use_atomic_checkpoints', 'build_runner',
    'runner_or_exit', 'build_model'
]
