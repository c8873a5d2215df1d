"""Runs a tool script and SIGKILLs it the moment it opens its N-th checkpoint
file (``epoch_*.pth`` / ``iter_*.pth``, temporary names included) for writing.

Usage: python kill_at_checkpoint_write.py N TOOL.py [tool arguments]

An audit hook sees every ``open``; the kill comes before a byte is written,
the point where MMEngine's CheckpointHook has already deleted the checkpoint
that falls out of ``max_keep_ckpts``.
"""
import os
import re
import runpy
import signal
import sys

_CHECKPOINT = re.compile(r'(epoch|iter)_\d+\.pth')


def main() -> None:
    target, tool = int(sys.argv[1]), sys.argv[2]
    sys.argv = [tool] + sys.argv[3:]
    opened = []

    def hook(event, args):
        if event != 'open' or not isinstance(args[0], str):
            return
        writing = isinstance(args[1], str) and 'w' in args[1]
        if writing and _CHECKPOINT.search(os.path.basename(args[0])):
            opened.append(args[0])
            if len(opened) == target:
                print(f'killed while opening {args[0]}', flush=True)
                os.kill(os.getpid(), signal.SIGKILL)

    sys.addaudithook(hook)
    runpy.run_path(tool, run_name='__main__')


if __name__ == '__main__':
    main()
