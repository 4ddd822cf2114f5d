"""Read DMN 1.1-1.5 XML (any namespace version) into plain model objects."""

from dataclasses import dataclass, field

from lxml import etree

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                               remove_comments=True, huge_tree=False)


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el, name=None):
    return [c for c in el if isinstance(c.tag, str) and (name is None or _local(c) == name)]


def _child(el, name):
    found = _children(el, name)
    return found[0] if found else None


def _text(el, name="text") -> str | None:
    c = _child(el, name) if el is not None else None
    return c.text or "" if c is not None else None


def _href_id(el) -> str:
    """Reduce an href like 'other.dmn#_id' or '#_id' to (namespace part, id)."""
    href = el.get("href", "")
    return href.split("#", 1)[1] if "#" in href else href


@dataclass
class ItemDef:
    """An itemDefinition: a base type, a structure, a collection or constrained type."""

    name: str
    type_ref: str | None = None
    is_collection: bool = False
    components: list = field(default_factory=list)
    allowed: str | None = None
    function_item: bool = False


@dataclass
class Element:
    """A DRG element: decision, inputData, businessKnowledgeModel or decisionService."""

    kind: str
    id: str
    name: str
    type_ref: str | None = None
    expression: tuple | None = None
    required_decisions: list = field(default_factory=list)
    required_inputs: list = field(default_factory=list)
    required_knowledge: list = field(default_factory=list)
    service: dict = field(default_factory=dict)


@dataclass
class Definitions:
    """One DMN file."""

    name: str
    namespace: str
    imports: list = field(default_factory=list)
    item_defs: dict = field(default_factory=dict)
    elements: list = field(default_factory=list)
    names: set = field(default_factory=set)


def parse_item_def(el, names) -> ItemDef:
    """Read an itemDefinition or itemComponent recursively."""
    name = el.get("name")
    names.add(name)
    allowed = _child(el, "allowedValues")
    return ItemDef(
        name=name,
        type_ref=_text(el, "typeRef"),
        is_collection=el.get("isCollection") == "true",
        components=[parse_item_def(c, names) for c in _children(el, "itemComponent")],
        allowed=_text(allowed) if allowed is not None else None,
        function_item=_child(el, "functionItem") is not None,
    )


def _type_ref(el):
    return el.get("typeRef") if el is not None else None


def parse_expression(el, names) -> tuple | None:  # noqa: C901, PLR0911 -- one branch per FEEL type or AST tag, as the spec's tables list them
    """Read a boxed expression into a tuple tagged by its kind."""
    if el is None:
        return None
    kind, tref = _local(el), el.get("typeRef")
    if kind == "literalExpression":
        return ("literal", _text(el) or "", tref)
    if kind == "decisionTable":
        return ("dt", _parse_table(el, names), tref)
    if kind == "context":
        entries = []
        for ce in _children(el, "contextEntry"):
            var = _child(ce, "variable")
            name = var.get("name") if var is not None else None
            if name:
                names.add(name)
            entries.append((name, _type_ref(var), parse_expression(_first_expr(ce), names)))
        return ("context", entries, tref)
    if kind == "invocation":
        target = parse_expression(_first_expr(el), names)
        bindings = []
        for b in _children(el, "binding"):
            pname = _child(b, "parameter").get("name")
            bindings.append((pname, parse_expression(_first_expr(b), names)))
        return ("invocation", target, bindings, tref)
    if kind == "functionDefinition":
        params = []
        for p in _children(el, "formalParameter"):
            names.add(p.get("name"))
            params.append((p.get("name"), p.get("typeRef")))
        return ("function", params, parse_expression(_first_expr(el), names), el.get("kind", "FEEL"), tref)
    if kind == "relation":
        cols = [c.get("name") for c in _children(el, "column")]
        names.update(cols)
        rows = [[parse_expression(x, names) for x in _children(r) if _is_expr(x)] for r in _children(el, "row")]
        return ("relation", cols, rows, tref)
    if kind == "list":
        return ("list", [parse_expression(x, names) for x in _children(el) if _is_expr(x)], tref)
    if kind == "conditional":
        parts = [parse_expression(_first_expr(_child(el, p)), names) for p in ("if", "then", "else")]
        return ("conditional", *parts, tref)
    return _parse_iteration(el, kind, tref, names)


def _parse_iteration(el, kind, tref, names) -> tuple:
    """Read the DMN 1.5 boxed for / some / every / filter expressions."""
    if kind in ("for", "some", "every"):
        var = el.get("iteratorVariable")
        names.add(var)
        second = "return" if kind == "for" else "satisfies"
        return ("iterate", kind, var, parse_expression(_first_expr(_child(el, "in")), names),
                parse_expression(_first_expr(_child(el, second)), names), tref)
    if kind == "filter":
        return ("filter", parse_expression(_first_expr(_child(el, "in")), names),
                parse_expression(_first_expr(_child(el, "match")), names), tref)
    return ("unsupported", kind, tref)


_EXPR_KINDS = {"literalExpression", "decisionTable", "context", "invocation", "functionDefinition", "relation", "list",
               "conditional", "for", "some", "every", "filter"}


def _is_expr(el) -> bool:
    return _local(el) in _EXPR_KINDS


def _first_expr(el):
    if el is None:
        return None
    for c in _children(el):
        if _is_expr(c):
            return c
    return None


def _parse_table(el, names) -> dict:
    inputs = []
    for i in _children(el, "input"):
        expr = _child(i, "inputExpression")
        values = _child(i, "inputValues")
        inputs.append({
            "label": i.get("label"), "expr": _text(expr) if expr is not None else None, "type_ref": _type_ref(expr),
            "values": _text(values) if values is not None else None, "variable": i.get("inputVariable"),
        })
    outputs = []
    for o in _children(el, "output"):
        values, default = _child(o, "outputValues"), _child(o, "defaultOutputEntry")
        if o.get("name"):
            names.add(o.get("name"))
        outputs.append({
            "name": o.get("name"), "type_ref": o.get("typeRef"),
            "values": _text(values) if values is not None else None,
            "default": _text(default) if default is not None else None,
        })
    rules = []
    for r in _children(el, "rule"):
        rules.append({
            "id": r.get("id"),
            "inputs": [_text(e) or "" for e in _children(r, "inputEntry")],
            "outputs": [_text(e) or "" for e in _children(r, "outputEntry")],
        })
    return {"hit_policy": el.get("hitPolicy", "UNIQUE").upper(), "aggregation": el.get("aggregation"),
            "inputs": inputs, "outputs": outputs, "rules": rules}


def _parse_element(el, names) -> Element | None:
    kind = _local(el)
    if kind not in ("decision", "inputData", "businessKnowledgeModel", "decisionService"):
        return None
    var = _child(el, "variable")
    e = Element(kind=kind, id=el.get("id", ""), name=el.get("name", ""), type_ref=_type_ref(var))
    names.add(e.name)
    for req in _children(el, "informationRequirement"):
        for ref in _children(req):
            (e.required_decisions if _local(ref) == "requiredDecision" else e.required_inputs).append(_href_id(ref))
    for req in _children(el, "knowledgeRequirement"):
        e.required_knowledge.extend(_href_id(ref) for ref in _children(req))
    if kind == "decision":
        e.expression = parse_expression(_first_expr(el), names)
    elif kind == "businessKnowledgeModel":
        e.expression = parse_expression(_child(el, "encapsulatedLogic"), names)
        if e.expression and e.expression[0] == "unsupported":
            e.expression = None
        logic = _child(el, "encapsulatedLogic")
        if logic is not None:
            params = [(p.get("name"), p.get("typeRef")) for p in _children(logic, "formalParameter")]
            names.update(p[0] for p in params)
            e.expression = ("function", params, parse_expression(_first_expr(logic), names),
                            logic.get("kind", "FEEL"), logic.get("typeRef"))
    else:
        e.service = {part: [_href_id(r) for r in _children(el, part)]
                     for part in ("outputDecision", "encapsulatedDecision", "inputDecision", "inputData")}
    return e


def parse_definitions(xml: bytes) -> Definitions:
    """Parse one DMN file safely (no DTDs, no entities)."""
    root = etree.fromstring(xml, _SAFE_PARSER)
    names: set = set()
    defs = Definitions(name=root.get("name", ""), namespace=root.get("namespace", ""))
    for imp in _children(root, "import"):
        defs.imports.append({"namespace": imp.get("namespace"), "name": imp.get("name", ""),
                             "location": imp.get("locationURI")})
        if imp.get("name"):
            names.add(imp.get("name"))
    for idef in _children(root, "itemDefinition"):
        item = parse_item_def(idef, names)
        defs.item_defs[item.name] = item
    for el in _children(root):
        element = _parse_element(el, names)
        if element is not None:
            defs.elements.append(element)
    defs.names = {n for n in names if n}
    return defs
