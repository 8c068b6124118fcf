"""``ember.nn``: modules, parameters, functional, init, utils."""
from . import functional, modules  # noqa: F401
from .modules import *  # noqa: F401,F403
