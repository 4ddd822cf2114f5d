"""Build small BPMN documents for tests and benchmarks without hand-writing XML."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
          'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_{pid}" targetNamespace="http://kimflow.test">')


def user(id_, name, office=None, fields=(), **attrs):
    """A user task; fields are (id, type, label, {constraint: config}) tuples."""
    return ("user", id_, name, office, list(fields), attrs)


def build(pid: str, elements: list, flows: list, name: str | None = None) -> str:
    """Return a BPMN document with one executable process."""
    messages = sorted({e[2] for e in elements if e[0] in ("msg_catch", "msg_throw", "msg_end", "msg_start")})
    out = [HEADER.format(pid=pid)]
    out += [f'<bpmn:message id="msg_{m}" name="{m}" />' for m in messages]
    out.append(f'<bpmn:process id="{pid}" name={quoteattr(name or pid)} isExecutable="true">')
    out += [_element(e) for e in elements]
    for i, flow in enumerate(flows):
        source, target = flow[0], flow[1]
        condition = flow[2] if len(flow) > 2 else None
        body = f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>" if condition else ""
        out.append(f'<bpmn:sequenceFlow id="flow_{i}" sourceRef="{source}" targetRef="{target}">'
                   f"{body}</bpmn:sequenceFlow>")
    out.append("</bpmn:process></bpmn:definitions>")
    return "\n".join(out)


def _element(e) -> str:  # noqa: C901, PLR0911 - one branch per element kind keeps the table readable
    kind, id_ = e[0], e[1]
    if kind == "start":
        return f'<bpmn:startEvent id="{id_}" />'
    if kind == "end":
        return f'<bpmn:endEvent id="{id_}" />'
    if kind == "user":
        _, _, name, office, fields, attrs = e
        extra = "".join(f' camunda:{k}={quoteattr(str(v))}' for k, v in attrs.items())
        groups = f' camunda:candidateGroups="{office}"' if office else ""
        form = "".join(_field(*f) for f in fields)
        ext = (f"<bpmn:extensionElements><camunda:formData>{form}</camunda:formData></bpmn:extensionElements>"
               if fields else "")
        return (f'<bpmn:userTask id="{id_}" name={quoteattr(name)} camunda:formKey="{id_}"{groups}{extra}>'
                f"{ext}</bpmn:userTask>")
    if kind == "script":
        return (f'<bpmn:scriptTask id="{id_}" scriptFormat="python">'
                f"<bpmn:script>{escape(e[2])}</bpmn:script></bpmn:scriptTask>")
    if kind == "service":
        return f'<bpmn:serviceTask id="{id_}" camunda:type="external" camunda:topic="{e[2]}" />'
    if kind == "xor":
        default = f' default="{e[2]}"' if len(e) > 2 and e[2] else ""
        return f'<bpmn:exclusiveGateway id="{id_}" name="{id_}?"{default} />'
    if kind == "and":
        return f'<bpmn:parallelGateway id="{id_}" />'
    if kind == "timer_catch":
        return (f'<bpmn:intermediateCatchEvent id="{id_}"><bpmn:timerEventDefinition><bpmn:timeDuration>'
                f'{escape(e[2])}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
    if kind == "boundary_timer":
        cancel = "" if (len(e) < 5 or e[4]) else ' cancelActivity="false"'
        return (f'<bpmn:boundaryEvent id="{id_}" attachedToRef="{e[2]}"{cancel}><bpmn:timerEventDefinition>'
                f'<bpmn:timeDuration>{escape(e[3])}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>')
    if kind == "msg_start":
        return f'<bpmn:startEvent id="{id_}"><bpmn:messageEventDefinition messageRef="msg_{e[2]}" /></bpmn:startEvent>'
    if kind == "msg_catch":
        return (f'<bpmn:intermediateCatchEvent id="{id_}"><bpmn:messageEventDefinition messageRef="msg_{e[2]}" />'
                '</bpmn:intermediateCatchEvent>')
    if kind == "msg_throw":
        return (f'<bpmn:intermediateThrowEvent id="{id_}"><bpmn:messageEventDefinition messageRef="msg_{e[2]}" />'
                '</bpmn:intermediateThrowEvent>')
    if kind == "msg_end":
        return f'<bpmn:endEvent id="{id_}"><bpmn:messageEventDefinition messageRef="msg_{e[2]}" /></bpmn:endEvent>'
    if kind == "call":
        return f'<bpmn:callActivity id="{id_}" calledElement="{e[2]}" />'
    raise ValueError(kind)


def _field(id_, type_="string", label=None, constraints=None, options=None) -> str:
    rules = "".join(f'<camunda:constraint name="{k}"' + (f' config="{v}"' if v is not None else "") + " />"
                    for k, v in (constraints or {}).items())
    validation = f"<camunda:validation>{rules}</camunda:validation>" if rules else ""
    values = "".join(f'<camunda:value id="{k}" name="{v}" />' for k, v in (options or {}).items())
    return (f'<camunda:formField id="{id_}" label={quoteattr(label or id_)} type="{type_}">'
            f"{validation}{values}</camunda:formField>")


def linear(pid: str, tasks: int = 2, office: str = "sozialamt") -> str:
    """A process of `tasks` user tasks in a row, each with one optional text field."""
    elements = [("start", "start_event")]
    elements += [user(f"task_{i}", f"Aufgabe {i}", office, [("note", "string", "Notiz")]) for i in range(tasks)]
    elements.append(("end", "end_event"))
    ids = [e[1] for e in elements]
    return build(pid, elements, list(zip(ids, ids[1:], strict=False)))
