"""Evaluate decisions of one or more DMN models (DRG, BKMs, decision services, imports)."""

from dataclasses import dataclass, field

from .dmn_boxed import BoxedCompiler
from .dmn_model import Definitions, Element, parse_definitions
from .dmn_types import TypeRegistry
from .env import Env
from .feel import ROOT, from_python
from .parser import normalize_name
from .values import FeelFunction


@dataclass
class DecisionResult:
    """The outcome of evaluating one decision: value, warnings and matched rule ids."""

    value: object
    warnings: list = field(default_factory=list)
    matched_rules: list = field(default_factory=list)


class _Compiled:
    """One Definitions with its compiled expressions, created once per load."""

    def __init__(self, defs: Definitions, model_set):
        self.defs = defs
        self.set = model_set
        self.by_id = {e.id: e for e in defs.elements}
        self.by_name = {normalize_name(e.name): e for e in defs.elements}
        self.imports: dict = {}  # prefix -> _Compiled
        self.types = TypeRegistry(defs.item_defs)
        self.fns: dict = {}

    def link(self):
        """Resolve imports and compile every expression (so evaluation parses nothing)."""
        names = set(self.defs.names)
        for imp in self.defs.imports:
            other = self.set.by_namespace.get(imp["namespace"])
            if other is None:
                continue
            self.imports[imp["name"]] = other
            self.types.add_imported(imp["name"], other.defs.item_defs) if imp["name"] else None
            names |= other.defs.names
            if not imp["name"]:
                self.types.item_defs.update(other.defs.item_defs)
        compiler = BoxedCompiler(tuple(sorted(n for n in names if n)), self.types)
        for e in self.defs.elements:
            if e.expression is not None:
                self.fns[e.id] = compiler.compile(e.expression, e.name)


class ModelSet:
    """Several DMN files loaded together; decisions are found by name or id."""

    def __init__(self, definitions: list):
        self.models = [_Compiled(d, self) for d in definitions]
        self.by_namespace = {m.defs.namespace: m for m in self.models}
        for m in self.models:
            m.link()

    def _find(self, name_or_id: str, kinds=("decision",)):
        key = normalize_name(name_or_id)
        for m in self.models:
            e = m.by_id.get(name_or_id) or m.by_name.get(key)
            if e is not None and e.kind in kinds:
                return m, e
        return None, None

    def evaluate_decision(self, name_or_id: str, inputs: dict | None = None,
                          context: dict | None = None) -> DecisionResult:
        """Evaluate a decision (and what it requires) with input data values by name.

        `context` holds variables every expression sees without an inputData element (process variables).
        """
        model, element = self._find(name_or_id)
        run = _Run(self, inputs or {}, context)
        if element is None:
            return DecisionResult(None, [f"no decision named {name_or_id!r}"])
        value = run.decision(model, element)
        return DecisionResult(value, run.warnings, run.matched)

    def evaluate_service(self, name_or_id: str, inputs: dict | None = None) -> DecisionResult:
        """Invoke a decision service directly; inputs name its input data and input decisions."""
        model, element = self._find(name_or_id, ("decisionService",))
        run = _Run(self, inputs or {})
        if element is None:
            return DecisionResult(None, [f"no decision service named {name_or_id!r}"])
        fn = run.service_function(model, element)
        args = [run.inputs.get(normalize_name(p)) for p in fn.params]
        value = fn.impl(args, run.root)
        return DecisionResult(value, run.warnings, run.matched)

    def find(self, name_or_id: str):
        """Return the decision element with this id or name, or None."""
        return self._find(name_or_id)[1]

    def decision_names(self) -> list:
        """List the decisions of all loaded models."""
        return [e.name for m in self.models for e in m.defs.elements if e.kind == "decision"]


class _Run:
    """State of one evaluation request: inputs, memoised decisions, warnings."""

    def __init__(self, model_set: ModelSet, inputs: dict, context: dict | None = None):
        self.set = model_set
        self.inputs = {normalize_name(k): from_python(v) for k, v in inputs.items()}
        self.warnings: list = []
        self.matched: list = []
        variables = {normalize_name(k): from_python(v) for k, v in (context or {}).items()}
        variables["__matched__"] = self.matched
        self.root = Env(variables, ROOT, self.warnings)
        self.cache: dict = {}

    def _locate(self, model, ref_id):
        """Find an element by id in the model, then in every loaded model."""
        if ref_id in model.by_id:
            return model, model.by_id[ref_id]
        for m in self.set.models:
            if ref_id in m.by_id:
                return m, m.by_id[ref_id]
        return None, None

    def _bind(self, scope_vars, model, owner, element, value):
        """Bind a required element's value by name, under its import prefix when it lives elsewhere."""
        if owner is model:
            scope_vars[element.name] = value
            return
        prefix = next((p for p, m in model.imports.items() if m is owner), None)
        if prefix:
            scope_vars.setdefault(prefix, {})[element.name] = value
        else:
            scope_vars[element.name] = value

    def _input_value(self, model, element):
        keys = [f"{{{model.defs.namespace}}}{element.name}", element.name]
        for k in keys:
            k = normalize_name(k)
            if k in self.inputs:
                return model.types.coerce(self.inputs[k], element.type_ref, self.root, f"input {element.name}")
        return None

    def scope_for(self, model, element, overrides=None) -> Env:
        """Build the scope a decision or BKM sees: its requirements, bound by name."""
        scope_vars: dict = {}
        for ref in element.required_inputs:
            owner, req = self._locate(model, ref)
            if req is not None:
                self._bind(scope_vars, model, owner, req, self._input_value(owner, req))
        for ref in element.required_decisions:
            owner, req = self._locate(model, ref)
            if req is not None:
                value = overrides[req.id] if overrides and req.id in overrides else self.decision(owner, req, overrides)
                self._bind(scope_vars, model, owner, req, value)
        for ref in element.required_knowledge:
            owner, req = self._locate(model, ref)
            if req is not None:
                self._bind(scope_vars, model, owner, req, self.invocable(owner, req))
        self._bind_imports(scope_vars, model)
        scope_vars["__types__"] = model.types
        return Env(scope_vars, self.root, self.warnings)

    def _bind_imports(self, scope_vars, model):
        """Expose imported BKMs and decision services as prefix.name."""
        for prefix, other in model.imports.items():
            ctx = scope_vars.setdefault(prefix, {}) if prefix else scope_vars
            for e in other.defs.elements:
                if e.kind in ("businessKnowledgeModel", "decisionService") and e.name not in ctx:
                    ctx[e.name] = self.invocable(other, e)

    def decision(self, model, element: Element, overrides=None):
        """Evaluate a decision once per run (memoised by id)."""
        key = (element.id, id(overrides) if overrides else None)
        if key in self.cache:
            return self.cache[key]
        self.cache[key] = None  # guards against cycles
        fn = model.fns.get(element.id)
        if fn is None:
            self.warnings.append(f"decision {element.name} has no expression")
            return None
        value = fn(self.scope_for(model, element, overrides))
        value = model.types.coerce(value, element.type_ref, self.root, f"decision {element.name}")
        self.cache[key] = value
        return value

    def invocable(self, model, element):
        """Return a BKM or decision service as a FEEL function value."""
        if element.kind == "decisionService":
            return self.service_function(model, element)
        key = ("bkm", element.id)
        if key not in self.cache:
            fn = model.fns.get(element.id)
            self.cache[key] = fn(self.scope_for(model, element)) if fn else None
        return self.cache[key]

    def service_function(self, model, element):
        """Wrap a decision service as a function of its input data and input decisions."""
        svc = element.service
        inputs = [self._locate(model, r)[1] for r in svc["inputData"]]
        decisions = [self._locate(model, r)[1] for r in svc["inputDecision"]]
        outputs = [self._locate(model, r) for r in svc["outputDecision"]]
        params = [e.name for e in inputs + decisions if e is not None]

        def impl(args, env):
            args = list(args) + [None] * (len(params) - len(args))
            sub = _Run(self.set, {})
            sub.warnings, sub.matched = self.warnings, self.matched
            sub.root = Env({"__matched__": self.matched}, ROOT, self.warnings)
            overrides = {}
            for e, v in zip([e for e in inputs + decisions if e is not None], args, strict=False):
                if e.kind == "inputData":
                    sub.inputs[normalize_name(e.name)] = v
                else:
                    overrides[e.id] = model.types.coerce(v, e.type_ref, env, f"input decision {e.name}")
            values = {e.name: sub.decision(m, e, overrides or None) for m, e in outputs if e is not None}
            if len(values) == 1:
                return next(iter(values.values()))
            return values
        return FeelFunction(params, impl, element.name)


def load_models(sources: list) -> ModelSet:
    """Load DMN XML documents (bytes or str) into one evaluable set."""
    defs = [parse_definitions(s.encode() if isinstance(s, str) else s) for s in sources]
    return ModelSet(defs)
