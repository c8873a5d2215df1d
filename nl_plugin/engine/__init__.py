"""Running configs: checks before a run, CPU-friendly distributed set-up, CLI
glue."""
from .cli import (add_cfg_options, add_runner_arguments,
                  add_video_tool_arguments, parse_runner_args)
from .errors import ConfigError
from .launch import (check_devices, setup_distributed, slurm_env,
                     tool_process_group)
from .run_config import (config_scope, load_config, set_amp, set_resume,
                         set_work_dir)
from .validate import check_config, config_errors

__all__ = [
    'add_cfg_options', 'add_runner_arguments', 'add_video_tool_arguments',
    'parse_runner_args', 'ConfigError', 'check_config', 'config_errors',
    'check_devices', 'setup_distributed', 'slurm_env', 'tool_process_group',
    'load_config', 'set_amp', 'set_resume', 'set_work_dir', 'config_scope'
]
