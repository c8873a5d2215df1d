"""Class names for printed predictions: a label-map file, or the Kinetics-400
names shipped with nl_plugin."""
import os.path as osp
from typing import List, Optional

from mmengine.config import Config

# The 400 Kinetics-400 class names, one a line, in the order of MMAction2's
# label map (tools/data/kinetics/label_map_k400.txt), which is also the class
# order of the official code's classids.json.
KINETICS400_FILE = osp.join(osp.dirname(__file__), 'kinetics400_classes.txt')


def read_label_map(path: str) -> List[str]:
    """Class names from a text file, one a line (MMAction2's label-map format).

    Raises:
        FileNotFoundError: the file is missing.
        ValueError: the file holds no names, or a blank line between names.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'label map {path!r} does not exist')
    with open(path, encoding='utf-8') as f:
        names = [line.strip() for line in f.read().rstrip('\n').split('\n')]
    if not names or names == ['']:
        raise ValueError(f'label map {path!r} holds no class names')
    blank = [i + 1 for i, name in enumerate(names) if not name]
    if blank:
        raise ValueError(f'label map {path!r}: line(s) {blank} are blank; '
                         'expected one class name a line')
    return names


def kinetics400_classes() -> List[str]:
    """The 400 Kinetics-400 class names in MMAction2's label-map order."""
    return read_label_map(KINETICS400_FILE)


def is_kinetics400(cfg: Config, num_classes: int) -> bool:
    """Whether ``cfg`` is a 400-class config of the Kinetics-400 data set."""
    dataset = cfg.get('test_dataloader', {}).get('dataset', {})
    where = f"{cfg.filename or ''} {dataset.get('ann_file', '')}".lower()
    return num_classes == 400 and 'kinetics400' in where


def class_names(cfg: Config,
                num_classes: int,
                label_map: Optional[str] = None) -> List[str]:
    """Names of the ``num_classes`` classes of a config's model.

    Args:
        cfg (Config): The model's config.
        num_classes (int): Classes the model scores.
        label_map (str, optional): A label-map file; without one, Kinetics-400
            configs get the shipped Kinetics-400 names and other configs
            ``class 0``, ``class 1``, ...

    Raises:
        ValueError: the label map names another number of classes.
    """
    if label_map is not None:
        names = read_label_map(label_map)
        if len(names) != num_classes:
            raise ValueError(
                f'--label-map {label_map!r} names {len(names)} classes but '
                f'the model scores {num_classes}')
        return names
    if is_kinetics400(cfg, num_classes):
        return kinetics400_classes()
    return [f'class {i}' for i in range(num_classes)]
