# The labeled-only baseline of the FixMatch CIFAR-10 (JPEG) 4,000-label run: the same model,
# batches and schedule with lambda_u = 0, so the unlabeled images pass through the network
# (BN statistics) but give no loss (docs/cifar10_benchmark.md).
_base_ = './resnet18-w16_fixmatch-4000l_cifar10-jpeg.py'
model = dict(lambda_u=0.)
