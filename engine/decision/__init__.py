"""FEEL interpreter and DMN evaluator."""

from .dmn_eval import DecisionResult, ModelSet, load_models
from .feel import CompiledFeel, compile, evaluate

__all__ = ["CompiledFeel", "DecisionResult", "ModelSet", "compile", "evaluate", "load_models"]
