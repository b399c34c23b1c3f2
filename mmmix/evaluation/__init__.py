"""Metrics of mmmix (registered in :data:`mmmix.registry.METRICS`)."""
from .metrics import *  # noqa: F401,F403
