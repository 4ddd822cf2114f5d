"""Coerce values to DMN typeRefs (item definitions, collections, allowed values)."""

from .feel import compile as feel_compile
from .types import BUILTIN_TYPES, conforms, strip_prefix
from .values import FeelFunction


class TypeRegistry:
    """Item definitions visible to one model, imported ones under 'prefix.name'."""

    def __init__(self, item_defs: dict):
        self.item_defs = dict(item_defs)

    def add_imported(self, prefix: str, item_defs: dict):
        """Expose another model's item definitions as prefix.name."""
        for name, item in item_defs.items():
            self.item_defs[f"{prefix}.{name}"] = item

    def coerce(self, value, type_ref, env, where: str = "value"):
        """Return value converted to type_ref, or null plus a warning when it does not conform."""
        if value is None or not type_ref:
            return value
        ok, out = self._coerce(value, strip_prefix(type_ref), env, 0)
        if not ok:
            env.warn(f"{where} does not conform to type {type_ref}")
            return None
        return out

    def is_instance(self, value, type_ref, env) -> bool:
        """Tell whether a value conforms to a named type without converting it."""
        if isinstance(value, list) and type_ref in self.item_defs and not self.item_defs[type_ref].is_collection:
            return False
        ok, _ = self._coerce(value, type_ref, env.child({}), 0)
        return ok

    def _coerce(self, value, type_ref, env, depth):
        if value is None:
            return True, None
        if depth > 20:
            return True, value
        item = self.item_defs.get(type_ref)
        if item is None:
            return self._coerce_builtin(value, type_ref)
        if item.function_item:
            return isinstance(value, FeelFunction), value
        if item.is_collection:
            if not isinstance(value, list):
                value = [value]
            elem = _Single(item)
            out = []
            for v in value:
                ok, c = self._coerce_item(v, elem, env, depth)
                if not ok:
                    return False, None
                out.append(c)
            return True, out
        return self._coerce_item(value, item, env, depth)

    def _coerce_item(self, value, item, env, depth):
        if isinstance(value, list) and len(value) == 1 and not _is_list_type(item, self):
            value = value[0]
        if item.components:
            if not isinstance(value, dict):
                return False, None
            out = dict(value)
            for comp in item.components:
                if comp.name not in out:
                    return False, None
                if True:
                    ok, c = self._comp(out[comp.name], comp, env, depth)
                    if not ok:
                        return False, None
                    out[comp.name] = c
            return True, out
        if item.type_ref:
            ok, value = self._coerce(value, strip_prefix(item.type_ref), env, depth + 1)
            if not ok:
                return False, None
        if item.allowed and value is not None:
            test = feel_compile(item.allowed, "unary")
            if test.run(env.child({"?": value}), value) is not True:
                return False, None
        return True, value

    def _comp(self, value, comp, env, depth):
        if comp.is_collection or comp.components or comp.allowed:
            return self._coerce_anon(value, comp, env, depth)
        if comp.type_ref:
            return self._coerce(value, strip_prefix(comp.type_ref), env, depth + 1)
        return True, value

    def _coerce_anon(self, value, item, env, depth):
        """Coerce against an inline (anonymous) item definition."""
        self.item_defs.setdefault(f"__anon_{id(item)}", item)
        return self._coerce(value, f"__anon_{id(item)}", env, depth + 1)

    @staticmethod
    def _coerce_builtin(value, type_ref):
        if type_ref in BUILTIN_TYPES:
            if isinstance(value, list) and len(value) == 1 and type_ref not in ("list", "Any"):
                value = value[0]
            return conforms(value, ("type", type_ref, [])), value
        if type_ref.startswith(("list<", "context<", "range<", "function<")):
            return True, value
        return True, value  # unknown type names are not enforced


class _Single:
    """View of a collection item definition as its element type."""

    def __init__(self, item):
        self.name = item.name
        self.type_ref = item.type_ref
        self.components = item.components
        self.allowed = item.allowed
        self.is_collection = False
        self.function_item = False


def _is_list_type(item, registry) -> bool:
    if item.is_collection:
        return True
    ref = strip_prefix(item.type_ref) if item.type_ref else None
    inner = registry.item_defs.get(ref) if ref else None
    return ref == "list" or (inner is not None and inner is not item and inner.is_collection)
