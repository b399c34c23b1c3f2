# CutMix (Yun et al., ICCV 2019, arXiv:1905.04899) + SUMix (Qin et al., ECCV 2024,
#   arXiv:2407.07805), with ResNet-18 (CIFAR stem) on CIFAR-100, 800 epochs, batch 100.
# The cheap clean pass: clean_grad=False runs the backbone on the clean batch under torch.no_grad,
#   so only the head (fc, fc_u) learns from it; it saves the backward of the extra clean forward
#   (the paper, clean_grad=True, back-propagates through it). Not a published setting: no reference
#   number.
_base_ = './resnet18_cutmix-sumix_cifar100.py'

# clean_grad=False: the only difference from the SUMix config it inherits
model = dict(head=dict(clean_grad=False))
