from .res_layer import ResLayerC4

__all__ = ['ResLayerC4']
