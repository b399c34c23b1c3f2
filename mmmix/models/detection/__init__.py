"""Detection heads for mmdet recipes; they subclass mmdet's, so without mmdet
``ResLayerC4`` is a placeholder that raises an ImportError naming mmdet
(see :mod:`mmmix.utils.optional`)."""
from mmmix.registry import MODELS
from mmmix.utils.optional import is_available, register_placeholders

if is_available('detection'):
    from .res_layer import ResLayerC4
else:
    ResLayerC4, = register_placeholders('detection', dict(ResLayerC4=MODELS))

__all__ = ['ResLayerC4']
