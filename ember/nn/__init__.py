"""``ember.nn``: modules, parameters, functional, init, utils."""
from . import functional, modules  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules.module import Module  # noqa: F401
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from . import attention, init, parallel, utils  # noqa: F401,E402
