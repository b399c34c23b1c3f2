from .cifar import ResNeXt_CIFAR, WideResNet_CIFAR

__all__ = ['ResNeXt_CIFAR', 'WideResNet_CIFAR']
