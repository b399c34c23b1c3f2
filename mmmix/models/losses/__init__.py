from .functional import (decoupled_eta, decoupled_mixup_bce, decoupled_mixup_loss,
                         decoupled_nll, mixed_cross_entropy, reduce_loss, sumix_alpha, sumix_lam,
                         sumix_loss, two_hot_targets, uncertainty_features)
from .mix_losses import (BaseMixLoss, DecoupledMixupLoss, MixedCrossEntropyLoss, SUMixLoss,
                         mix_loss_types)

__all__ = [
    'mixed_cross_entropy', 'reduce_loss', 'decoupled_eta', 'decoupled_nll',
    'decoupled_mixup_loss', 'decoupled_mixup_bce', 'two_hot_targets', 'sumix_alpha', 'sumix_lam',
    'sumix_loss', 'uncertainty_features', 'BaseMixLoss', 'MixedCrossEntropyLoss',
    'DecoupledMixupLoss', 'SUMixLoss', 'mix_loss_types'
]
