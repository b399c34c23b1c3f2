# The `make demo` recipe (tools/demo.py): a narrow ResNet-18 (CIFAR stem, width 16)
# trained on the synthetic 10-class 32x32 data on a CPU, each iteration mixing
# the batch with Mixup or CutMix (uniform `mix_prob`), 30 epochs, batch 32.
_base_ = [
    '../_base_/models/resnet18-w16_cifar.py',
    '../_base_/datasets/synthetic_cls.py',
    '../_base_/schedules/synthetic_sgd_short.py',
    '../_base_/default_runtime.py',
]

# alpha=1.0 (Mixup) and alpha=0.2 (CutMix): the OpenMixup CIFAR-100 values
#   (configs/classification/cifar100/README.md), the same 32x32 size
model = dict(mixers=[dict(type='Mixup', alpha=1.0), dict(type='CutMix', alpha=0.2)])

# a short run: log every 10 iterations for the training curves
default_hooks = dict(logger=dict(interval=10))

# report calibration next to accuracy (mmmix's registered ECE metric)
val_evaluator = [dict(type='Accuracy', topk=(1, )), dict(type='ExpectedCalibrationError', n_bins=15)]
test_evaluator = val_evaluator
