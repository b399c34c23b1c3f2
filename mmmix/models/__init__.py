from .backbones import *  # noqa: F401,F403
from .classifiers import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .mix_blocks import *  # noqa: F401,F403
from .semisup import *  # noqa: F401,F403
from .finetune import *  # noqa: F401,F403
from .detection import *  # noqa: F401,F403
