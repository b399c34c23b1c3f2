"""Fixtures of the semi-supervised / fine-tuning tests (defined in semisup_utils)."""
from semisup_utils import mmmix_scope, one_thread, semisup_root  # noqa: F401
