# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) fine-tuning an ImageNet-pretrained ResNet-18 on
#   FGVC-Aircraft at 224 px, 200 epochs, batch 16, the reference fine-grained settings (OpenMixup
#   `cub200/automix/`): alpha 2, stage-3 features (14x14), the lambda embedding on, the mask
#   loss gamma cosine-annealed to 0, teacher momentum to 0.99999, the Mix Block with its own SGD
#   optimizer (lr 0.01, cosine to 5e-4). The pretrained weights are torchvision's (downloaded
#   by mmengine on first use; not exercised in this repository's offline tests).
_base_ = [
    '../_base_/models/automix_resnet18.py',
    '../_base_/datasets/fgvc_aircraft_bs16.py',
    '../_base_/schedules/automix_finegrained_sgd_cosine_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    head=dict(num_classes=100))
