"""Built-in FEEL functions grouped by family; importing this package fills BUILTINS."""

from . import contexts, conversion, lists, numeric, ranges, strings, temporal_fns  # noqa: F401
from .registry import BUILTINS

__all__ = ["BUILTINS"]
