"""FEEL interpreter and DMN evaluator."""

from .builtins.temporal_fns import set_clock
from .dmn_eval import DecisionResult, ModelSet, load_models
from .feel import CompiledFeel, compile, evaluate
from .plain import to_plain

__all__ = ["CompiledFeel", "DecisionResult", "ModelSet", "compile", "evaluate", "load_models", "set_clock",
           "to_plain"]
