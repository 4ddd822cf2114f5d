"""FEEL types: conformance checks for 'instance of', typed parameters and DMN typeRefs."""

from .values import Range, type_name

BUILTIN_TYPES = {
    "number", "string", "boolean", "date", "time", "date and time", "dateTime", "days and time duration",
    "years and months duration", "dayTimeDuration", "yearMonthDuration", "list", "context", "range",
    "function", "Any", "Null", "duration",
}
_ALIASES = {"dateTime": "date and time", "dayTimeDuration": "days and time duration",
            "yearMonthDuration": "years and months duration"}


def strip_prefix(type_ref: str) -> str:
    """Drop a 'feel:' style namespace prefix from a typeRef."""
    if type_ref and ":" in type_ref and not type_ref.startswith(("list<", "context<")):
        prefix, rest = type_ref.split(":", 1)
        if prefix in ("feel", "FEEL", "xsd", "xs"):
            return rest
    return type_ref


def conforms(value, typ) -> bool:  # noqa: C901, PLR0911 -- one branch per FEEL type or AST tag, as the spec's tables list them
    """Tell whether a value is an instance of a FEEL type AST ('type', name, args)."""
    _, name, args = typ
    name = _ALIASES.get(name, name)
    if name == "Any":
        return value is not None
    if name == "Null":
        return value is None
    actual = type_name(value)
    if name == "duration":
        return actual in ("days and time duration", "years and months duration")
    if name == "list":
        if actual != "list":
            return False
        return not args or all(v is None or conforms(v, args[0]) for v in value)
    if name == "context":
        if actual != "context":
            return False
        return all(k in value and (value[k] is None or conforms(value[k], t)) for k, t in args)
    if name == "range":
        if not isinstance(value, Range):
            return False
        return not args or all(e is None or conforms(e, args[0]) for e in (value.start, value.end))
    if name == "function":
        return actual == "function"
    return actual == name
