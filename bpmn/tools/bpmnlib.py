"""Build executable Camunda-style BPMN files (layout in layout.py, DMN tables in dmnlib.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from layout import _Layout, _shape

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"



def enum(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    """Return enum options as (id, German label) pairs."""
    return list(pairs)


@dataclass
class Field:
    id: str
    label: str
    type: str = "string"
    required: bool = False
    readonly: bool = False
    values: list[tuple[str, str]] = field(default_factory=list)
    default: str | None = None
    min: int | None = None
    max: int | None = None
    minlength: int | None = None
    maxlength: int | None = None

    def xml(self) -> str:
        default = f" defaultValue={quoteattr(self.default)}" if self.default is not None else ""
        out = [
            f'<camunda:formField id="{self.id}" label={quoteattr(self.label)} type="{self.type}"{default}>'
        ]
        rules = []
        if self.required:
            rules.append('<camunda:constraint name="required" />')
        if self.readonly:
            rules.append('<camunda:constraint name="readonly" />')
        for name in ("min", "max", "minlength", "maxlength"):
            value = getattr(self, name)
            if value is not None:
                rules.append(f'<camunda:constraint name="{name}" config="{value}" />')
        if rules:
            out.append("<camunda:validation>" + "".join(rules) + "</camunda:validation>")
        for vid, vname in self.values:
            out.append(f'<camunda:value id="{vid}" name={quoteattr(vname)} />')
        out.append("</camunda:formField>")
        return "".join(out)


@dataclass
class Node:
    id: str
    kind: str  # xml tag without prefix
    name: str
    lane: str
    shape: str  # task | event | gateway | subprocess
    body: str = ""  # inner xml (event definitions, forms, scripts)
    attrs: dict = field(default_factory=dict)
    attached_to: str | None = None
    parent: str | None = None
    default_flow: str | None = None
    col: int = 0
    row: int = 0
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0


@dataclass
class Flow:
    id: str
    source: str
    target: str
    condition: str | None = None
    name: str = ""


class Process:
    """A BPMN process with lanes; nodes are added in reading order."""

    def __init__(self, pid: str, name: str, lanes: list[tuple[str, str]], doc: str = "",
                 camunda: dict[str, str] | None = None):
        self.pid, self.name, self.doc = pid, name, doc
        self.camunda = camunda or {}  # process attributes, e.g. candidateStarterGroups
        self.lanes = lanes  # (office code, German name with code)
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self.messages: dict[str, str] = {}  # message id -> message name
        self._lane = lanes[0][0]
        self._parent: str | None = None

    # --- lanes and containers -------------------------------------------------------------
    def lane(self, code: str) -> Process:
        self._lane = code
        return self

    def _add(self, node: Node) -> str:
        assert node.id not in self.nodes, node.id
        assert node.id not in ("Start", "End"), "engine-internal id"
        node.parent = self._parent
        self.nodes[node.id] = node
        return node.id

    def event_subprocess(self, sid: str, name: str, lane: str) -> _Sub:
        self._add(Node(sid, "subProcess", name, lane, "subprocess", attrs={"triggeredByEvent": "true"}))
        return _Sub(self, sid)

    # --- events ------------------------------------------------------------------------------
    def message(self, name: str) -> str:
        mid = "msg_" + name
        self.messages[mid] = name
        return mid

    def _msg_def(self, name: str, expression: str | None, result_var: str | None) -> str:
        attrs = f'messageRef="{self.message(name)}"'
        if expression:
            attrs += f" camunda:expression={quoteattr(expression)}"
        if result_var:
            attrs += f' camunda:resultVariable="{result_var}"'
        return f"<bpmn:messageEventDefinition {attrs} />"

    def start(
        self,
        nid: str,
        name: str,
        message: str | None = None,
        result_var: str | None = None,
        interrupting: bool = True,
    ) -> str:
        body = self._msg_def(message, None, result_var) if message else ""
        attrs = {} if interrupting else {"isInterrupting": "false"}
        return self._add(Node(nid, "startEvent", name, self._lane, "event", body, attrs))

    def end(
        self,
        nid: str,
        name: str,
        message: str | None = None,
        expression: str | None = None,
        result_var: str | None = None,
    ) -> str:
        body = self._msg_def(message, expression, result_var) if message else ""
        return self._add(Node(nid, "endEvent", name, self._lane, "event", body))

    def throw(self, nid: str, name: str, message: str, expression: str, result_var: str | None = None) -> str:
        """Throw a message; `result_var` names the variable the receiver stores the payload in."""
        body = self._msg_def(message, expression, result_var)
        return self._add(Node(nid, "intermediateThrowEvent", name, self._lane, "event", body))

    def catch_message(self, nid: str, name: str, message: str, result_var: str) -> str:
        body = self._msg_def(message, None, result_var)
        return self._add(Node(nid, "intermediateCatchEvent", name, self._lane, "event", body))

    def catch_timer(
        self, nid: str, name: str, *, date: str | None = None, duration: str | None = None
    ) -> str:
        return self._add(
            Node(nid, "intermediateCatchEvent", name, self._lane, "event", _timer(date, duration))
        )

    def boundary_timer(
        self,
        nid: str,
        name: str,
        attached: str,
        *,
        date: str | None = None,
        duration: str | None = None,
        interrupting: bool = True,
    ) -> str:
        attrs = {"attachedToRef": attached}
        if not interrupting:
            attrs["cancelActivity"] = "false"
        node = Node(
            nid, "boundaryEvent", name, self.nodes[attached].lane, "event", _timer(date, duration), attrs
        )
        node.attached_to = attached
        return self._add(node)

    # --- activities ----------------------------------------------------------------------------
    def user(
        self,
        nid: str,
        name: str,
        fields: list[Field],
        *,
        form_key: str | None = None,
        due: str | None = None,
        priority: str | None = None,
        properties: dict | None = None,
    ) -> str:
        attrs = {"camunda:formKey": form_key or f"{self.pid}:{nid}"}
        if due:
            attrs["camunda:dueDate"] = due
        if priority:
            attrs["camunda:priority"] = priority
        body = "<bpmn:extensionElements>"
        if properties:
            body += (
                "<camunda:properties>"
                + "".join(
                    f'<camunda:property name="{k}" value={quoteattr(v)} />' for k, v in properties.items()
                )
                + "</camunda:properties>"
            )
        body += "<camunda:formData>" + "".join(f.xml() for f in fields) + "</camunda:formData>"
        body += "</bpmn:extensionElements>"
        return self._add(Node(nid, "userTask", name, self._lane, "task", body, attrs))

    def rule(self, nid: str, name: str, decision: str) -> str:
        attrs = {"camunda:decisionRef": decision}
        return self._add(Node(nid, "businessRuleTask", name, self._lane, "task", "", attrs))

    def script(self, nid: str, name: str, script: str) -> str:
        body = f"<bpmn:script>{escape(script)}</bpmn:script>"
        return self._add(Node(nid, "scriptTask", name, self._lane, "task", body, {"scriptFormat": "python"}))

    def service(self, nid: str, name: str, topic: str) -> str:
        attrs = {"camunda:type": "external", "camunda:topic": topic}
        body = (
            "<bpmn:extensionElements><camunda:properties>"
            f'<camunda:property name="topic" value="{topic}" /></camunda:properties></bpmn:extensionElements>'
        )
        return self._add(Node(nid, "serviceTask", name, self._lane, "task", body, attrs))

    # --- gateways and flows -------------------------------------------------------------------
    def xor(self, nid: str, name: str = "") -> str:
        return self._add(Node(nid, "exclusiveGateway", name, self._lane, "gateway"))

    def parallel(self, nid: str, name: str = "") -> str:
        return self._add(Node(nid, "parallelGateway", name, self._lane, "gateway"))

    def inclusive(self, nid: str, name: str = "") -> str:
        return self._add(Node(nid, "inclusiveGateway", name, self._lane, "gateway"))

    def event_based(self, nid: str, name: str = "") -> str:
        return self._add(Node(nid, "eventBasedGateway", name, self._lane, "gateway"))

    def flow(
        self, source: str, target: str, condition: str | None = None, name: str = "", default: bool = False
    ) -> str:
        fid = f"flow_{source}_{target}"
        self.flows.append(Flow(fid, source, target, condition, name))
        if default:
            self.nodes[source].default_flow = fid
        return fid

    def chain(self, *ids: str) -> None:
        for a, b in zip(ids, ids[1:], strict=False):
            self.flow(a, b)

    # --- output -----------------------------------------------------------------------------
    def to_xml(self) -> str:
        _Layout(self).run()
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
            'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
            'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
            'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
            f'id="defs_{self.pid}" targetNamespace="http://kimflow.rhein-kreis-neuss.de/bpmn" '
            'exporter="kimflow bpmn/tools" exporterVersion="1.0">',
        ]
        for mid, name in self.messages.items():
            parts.append(f'<bpmn:message id="{mid}" name="{name}" />')
        parts.append(
            f'<bpmn:collaboration id="collab_{self.pid}">'
            f'<bpmn:participant id="pool_{self.pid}" name={quoteattr(self.name)} '
            f'processRef="{self.pid}" /></bpmn:collaboration>'
        )
        extra = "".join(f" camunda:{key}={quoteattr(value)}" for key, value in self.camunda.items())
        parts.append(f'<bpmn:process id="{self.pid}" name={quoteattr(self.name)} isExecutable="true"{extra}>')
        if self.doc:
            parts.append(f"<bpmn:documentation>{escape(self.doc)}</bpmn:documentation>")
        parts.append(f'<bpmn:laneSet id="laneset_{self.pid}">')
        for code, label in self.lanes:
            refs = "".join(
                f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in self.nodes.values() if n.lane == code
            )
            parts.append(f'<bpmn:lane id="lane_{code}" name={quoteattr(label)}>{refs}</bpmn:lane>')
        parts.append("</bpmn:laneSet>")
        parts.extend(self._elements(None))
        parts.append("</bpmn:process>")
        parts.append(self._diagram())
        parts.append("</bpmn:definitions>")
        return "\n".join(parts) + "\n"

    def _elements(self, parent: str | None) -> list[str]:
        out = []
        for n in self.nodes.values():
            if n.parent != parent:
                continue
            attrs = dict(n.attrs)
            if n.default_flow:
                attrs["default"] = n.default_flow
            attr_xml = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
            incoming = "".join(
                f"<bpmn:incoming>{f.id}</bpmn:incoming>" for f in self.flows if f.target == n.id
            )
            outgoing = "".join(
                f"<bpmn:outgoing>{f.id}</bpmn:outgoing>" for f in self.flows if f.source == n.id
            )
            inner = n.body if n.kind != "subProcess" else "".join(self._elements(n.id))
            if n.kind == "boundaryEvent" or n.kind == "subProcess":
                incoming = ""
            out.append(
                f'<bpmn:{n.kind} id="{n.id}" name={quoteattr(n.name)}{attr_xml}>'
                f"{_ext_first(n.body) if n.kind != 'subProcess' else ''}{incoming}{outgoing}"
                f"{_rest(n.body) if n.kind != 'subProcess' else inner}</bpmn:{n.kind}>"
            )
        for f in self.flows:
            if self.nodes[f.source].parent != parent:
                continue
            cond = ""
            if f.condition:
                cond = (
                    f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" '
                    f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{escape(f.condition)}'
                    "</bpmn:conditionExpression>"
                )
            name = f" name={quoteattr(f.name)}" if f.name else ""
            out.append(
                f'<bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.source}" '
                f'targetRef="{f.target}">{cond}</bpmn:sequenceFlow>'
            )
        return out

    def _diagram(self) -> str:
        out = [
            f'<bpmndi:BPMNDiagram id="diagram_{self.pid}">',
            f'<bpmndi:BPMNPlane id="plane_{self.pid}" bpmnElement="collab_{self.pid}">',
        ]
        lay = self._layout
        out.append(_shape(f"pool_{self.pid}", lay.pool, horizontal=True))
        for code, _ in self.lanes:
            out.append(_shape(f"lane_{code}", lay.lane_bounds[code], horizontal=True))
        for n in self.nodes.values():
            extra = ' isExpanded="true"' if n.kind == "subProcess" else ""
            label = ""
            if n.shape in ("event", "gateway") and n.name:
                label = (
                    f'<bpmndi:BPMNLabel><dc:Bounds x="{n.x - 30:.0f}" y="{n.y + n.h + 4:.0f}" '
                    f'width="{n.w + 60:.0f}" height="27" /></bpmndi:BPMNLabel>'
                )
            out.append(
                f'<bpmndi:BPMNShape id="{n.id}_di" bpmnElement="{n.id}"{extra}>'
                f'<dc:Bounds x="{n.x:.0f}" y="{n.y:.0f}" width="{n.w:.0f}" height="{n.h:.0f}" />'
                f"{label}</bpmndi:BPMNShape>"
            )
        for f in self.flows:
            pts = "".join(f'<di:waypoint x="{x:.0f}" y="{y:.0f}" />' for x, y in lay.waypoints(f))
            out.append(f'<bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">{pts}</bpmndi:BPMNEdge>')
        out.append("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>")
        return "".join(out)


class _Sub:
    """Context manager that adds nodes inside an event subprocess."""

    def __init__(self, process: Process, sid: str):
        self.process, self.sid = process, sid

    def __enter__(self) -> Process:
        self._saved = (self.process._parent, self.process._lane)
        self.process._parent = self.sid
        self.process._lane = self.process.nodes[self.sid].lane
        return self.process

    def __exit__(self, *exc) -> None:
        self.process._parent, self.process._lane = self._saved


def _timer(date: str | None, duration: str | None) -> str:
    tag, text = ("timeDate", date) if date else ("timeDuration", duration or "")
    expr = f'<bpmn:{tag} xsi:type="bpmn:tFormalExpression">{escape(text)}</bpmn:{tag}>'
    return (
        '<bpmn:timerEventDefinition xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{expr}</bpmn:timerEventDefinition>"
    )


def _ext_first(body: str) -> str:
    end = "</bpmn:extensionElements>"
    return body[: body.index(end) + len(end)] if end in body else ""


def _rest(body: str) -> str:
    end = "</bpmn:extensionElements>"
    return body[body.index(end) + len(end) :] if end in body else body
