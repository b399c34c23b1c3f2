from .functional import mixed_cross_entropy, reduce_loss

__all__ = ['mixed_cross_entropy', 'reduce_loss']
