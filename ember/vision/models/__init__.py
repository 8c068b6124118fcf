"""torchvision.models: classification networks with torchvision's module names, state_dict keys,
weight init and pretrained-weight files (``weights=ResNet18_Weights.DEFAULT``, ``weights="DEFAULT"``,
or the deprecated ``pretrained=True``), cached in the torch hub folder
(``$TORCH_HOME/hub/checkpoints``) and downloaded there with a SHA256 check when missing."""
from ._api import (Weights, WeightsEnum, get_model, get_model_builder, get_model_weights, get_weight,
                   list_models, load_state_dict_from_url)
from .alexnet import *  # noqa: F401,F403
from .convnext import *  # noqa: F401,F403
from .densenet import *  # noqa: F401,F403
from .efficientnet import *  # noqa: F401,F403
from .googlenet import *  # noqa: F401,F403
from .inception import *  # noqa: F401,F403
from .mnasnet import *  # noqa: F401,F403
from .mobilenetv2 import *  # noqa: F401,F403
from .mobilenetv3 import *  # noqa: F401,F403
from .regnet import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .shufflenetv2 import *  # noqa: F401,F403
from .squeezenet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .vision_transformer import *  # noqa: F401,F403
