# Fine-tuning i3d_nonlocal_8x8_IN_pretrain_400k from its converted weights
# (written by tools/convert/video_nonlocal_net.py), with the authors' training
# recipe for this model (the inherited schedule). For another data set, set its
# data root / annotation files and model.cls_head.num_classes: a classifier of
# another size is left at its initialisation (MMEngine reports the size
# mismatch) and everything else starts from the release.
_base_ = './i3d_nonlocal_8x8_IN_pretrain_400k_kinetics400-rgb.py'

load_from = ('checkpoints/video_nonlocal_net/'
             'i3d_nonlocal_8x8_IN_pretrain_400k.pth')
