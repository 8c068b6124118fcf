"""torchvision.models.mobilenet: MobileNetV2 and MobileNetV3 under one module name."""
from .mobilenetv2 import *  # noqa: F401,F403
from .mobilenetv2 import __all__ as _mv2_all
from .mobilenetv3 import *  # noqa: F401,F403
from .mobilenetv3 import __all__ as _mv3_all

__all__ = _mv2_all + _mv3_all
