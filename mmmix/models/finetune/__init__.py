"""Fine-tuning recipes (Fine-Tuning, Co-Tuning, Self-Tuning, each +DM) from
pretrained backbones at local checkpoint paths."""
from .models import (CoTuning, CoTuningRelationHook, FineTuning, SelfTuning, pgc_loss,
                     relationship_from_sums)
from .pretrained import load_pretrained, split_checkpoint

__all__ = ['FineTuning', 'CoTuning', 'CoTuningRelationHook', 'SelfTuning', 'pgc_loss',
           'relationship_from_sums', 'load_pretrained', 'split_checkpoint']
