"""Designer-facing checks on BPMN XML that SpiffWorkflow misses, crashes on, or reports in English."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator

from lxml import etree

from engine.bpmn.parser import lane_group, office_of_lane
from engine.bpmn.script_policy import check_script
from engine.bpmn.validation_lint import lint_document
from engine.core.errors import Problem

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
MISSING_CALLED_PROCESS = "ist nicht im Paket"
RESERVED_IDS = {"Start", "End", "Root", "StartEventSplit", "StartEventJoin"}
RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin", " [child]")
TASKS = ("task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask", "receiveTask",
         "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess")
EVENTS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
GATEWAYS = ("exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway")
FLOW_NODES = TASKS + EVENTS + GATEWAYS
_UNSUPPORTED = {
    "complexGateway": "Komplexe Gateways werden nicht unterstützt; bitte exklusive, inklusive oder "
                      "parallele Gateways verwenden.",
    "linkEventDefinition": "Link-Ereignisse werden nicht unterstützt (der Prozess bliebe dort stehen); "
                           "bitte die Sequenzflüsse direkt verbinden.",
    "compensateEventDefinition": "Kompensation wird nicht unterstützt.",
}
# Any of these names the code a service task runs (an in-process handler or an external worker's topic).
_IMPLEMENTATIONS = ("topic", "type", "class", "delegateExpression", "expression")
_SPIFF_SCRIPTS = {"preScript": "Vorskript", "postScript": "Nachskript"}
_REFERENCES = (("messageEventDefinition", "messageRef", "message", "Nachricht"),
               ("errorEventDefinition", "errorRef", "error", "Fehler"),
               ("signalEventDefinition", "signalRef", "signal", "Signal"),
               ("escalationEventDefinition", "escalationRef", "escalation", "Eskalation"),
               ("receiveTask", "messageRef", "message", "Nachricht"),
               ("sendTask", "messageRef", "message", "Nachricht"))


def local(element: etree._Element) -> str:
    """Return the tag name without namespace ('' for comments and processing instructions)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _label(element: etree._Element) -> str:
    name = (element.get("name") or "").strip()
    return f"»{name}«" if name else f"»{element.get('id')}«"


class Checker:
    """Collect problems for one BPMN document."""

    def __init__(self, root: etree._Element, filename: str):
        self.root = root
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, element: etree._Element, message: str, severity: str = "error") -> None:
        owner = next((node.get("id") for node in (element, *element.iterancestors())
                      if node.get("id") and not local(node).endswith("EventDefinition")), None)
        self.problems.append(Problem(message, file=self.filename, element_id=owner,
                                     line=element.sourceline, severity=severity))

    def elements(self, *names: str) -> Iterator[etree._Element]:
        wanted = {f"{BPMN}{name}" for name in names}
        return (element for element in self.root.iter() if element.tag in wanted)

    def run(self, *, known_offices: Collection[str] | None, bundle: BundleFacts) -> list[Problem]:
        self.unsupported()
        self.coordinates()
        self.reserved_ids()
        self.references()
        self.outgoing_flows()
        self.scripts()
        self.service_tasks()
        self.spiff_scripts()
        self.business_rules(bundle)
        self.call_activities(bundle)
        self.subprocesses()
        self.lanes(known_offices)
        self.lint()
        return self.problems

    def unsupported(self) -> None:
        for element in self.root.iter():
            message = _UNSUPPORTED.get(local(element))
            if message:
                self.add(element, message)
            elif element.get("isForCompensation") == "true":
                self.add(element, _UNSUPPORTED["compensateEventDefinition"])
        for element in self.elements(*TASKS):
            for extension in element.iter(f"{CAMUNDA}taskListener", f"{CAMUNDA}executionListener",
                                          f"{CAMUNDA}inputOutput"):
                self.add(element, f"{_label(element)}: camunda:{local(extension)} wird ignoriert.", "warning")
                break

    def coordinates(self) -> None:
        for bounds in self.root.iter("{http://www.omg.org/spec/DD/20100524/DC}Bounds"):
            for axis in ("x", "y"):
                try:
                    float(bounds.get(axis, "0"))
                except ValueError:
                    self.add(bounds, f"Die Diagramm-Koordinate {axis}=»{bounds.get(axis)}« ist keine Zahl.")

    def reserved_ids(self) -> None:
        for element in self.root.iter():
            element_id = element.get("id") if isinstance(element.tag, str) else None
            if element_id and (element_id in RESERVED_IDS or element_id.endswith(RESERVED_SUFFIXES)):
                self.add(element, f"Die ID »{element_id}« ist für die Prozess-Engine reserviert; "
                                  "bitte eine andere ID vergeben.")

    def references(self) -> None:
        for tag, attribute, target, what in _REFERENCES:
            defined = {element.get("id") for element in self.elements(target)}
            for element in self.elements(tag):
                ref = element.get(attribute)
                if ref and ref not in defined:
                    self.add(element, f"{what} »{ref}« ist in dieser Datei nicht definiert.")

    def outgoing_flows(self) -> None:
        flows: dict[str, list[etree._Element]] = {}
        for flow in self.elements("sequenceFlow"):
            flows.setdefault(flow.get("sourceRef") or "", []).append(flow)
        for element in self.elements(*FLOW_NODES):
            outgoing = flows.get(element.get("id") or "", [])
            kind = local(element)
            if kind in ("exclusiveGateway", "inclusiveGateway") and len(outgoing) > 1:
                self.gateway_conditions(element, outgoing)
            elif kind not in GATEWAYS and kind != "startEvent" and len(outgoing) > 1:
                self.add(element, f"{_label(element)} hat {len(outgoing)} ausgehende Sequenzflüsse; bitte "
                                  "danach ein Gateway einfügen.")

    def gateway_conditions(self, gateway: etree._Element, outgoing: list[etree._Element]) -> None:
        for flow in outgoing:
            has_condition = flow.find(f"{BPMN}conditionExpression") is not None
            if has_condition or flow.get("id") == gateway.get("default"):
                continue
            self.add(flow, f"Der Sequenzfluss {_label(flow)} aus dem Gateway {_label(gateway)} hat keine "
                           "Bedingung und ist nicht der Standardfluss.")

    def scripts(self) -> None:
        for element in self.elements("scriptTask"):
            language = (element.get("scriptFormat") or "python").lower()
            script = element.find(f"{BPMN}script")
            if language not in ("python", "py", "text/x-python"):
                self.add(element, f"Skriptaufgabe {_label(element)}: Die Skriptsprache »{language}« wird "
                                  "nicht unterstützt; Skripte müssen Python sein.")
            elif script is None or not (script.text or "").strip():
                self.add(element, f"Skriptaufgabe {_label(element)} enthält kein Skript.")
            else:
                try:
                    ast.parse(script.text or "", mode="exec")
                except SyntaxError as exc:
                    self.add(script, f"Skriptaufgabe {_label(element)}: Python-Fehler in Skriptzeile "
                                     f"{exc.lineno}: {exc.msg}.")
                    continue
                # Refuse at deploy time what the sandbox would refuse at run time.
                for violation in check_script(script.text or ""):
                    self.add(script, f"Skriptaufgabe {_label(element)}: {violation}")

    def service_tasks(self) -> None:
        for task in self.elements("serviceTask"):
            if any((task.get(f"{CAMUNDA}{name}") or "").strip() for name in _IMPLEMENTATIONS):
                continue
            if any(prop.get("name") == "handler" and (prop.get("value") or "").strip()
                   for prop in task.iter(f"{CAMUNDA}property")):
                continue
            self.add(task, f"Serviceaufgabe {_label(task)} hat keine Implementierung und kann nicht laufen: "
                           "bitte camunda:topic mit camunda:type=\"external\" (externer Worker), "
                           "camunda:delegateExpression, camunda:expression, camunda:class oder die "
                           "Erweiterungseigenschaft »handler« angeben.")

    def spiff_scripts(self) -> None:
        # kimflow runs Camunda task specs, which have no place for SpiffArena's pre/post scripts.
        for element in self.root.iter():
            if not isinstance(element.tag, str) or "spiffworkflow" not in (etree.QName(element).namespace or ""):
                continue
            kind = _SPIFF_SCRIPTS.get(local(element))
            if kind:
                owner = next((node for node in element.iterancestors() if node.get("id")), element)
                self.add(element, f"{_label(owner)}: Das SpiffArena-{kind} "
                                  f"(spiffworkflow:{local(element)}) wird von kimflow nicht ausgeführt; bitte "
                                  "als eigene Skriptaufgabe davor bzw. danach modellieren.")

    def business_rules(self, bundle: BundleFacts) -> None:
        for element in self.elements("businessRuleTask"):
            ref = element.get(f"{CAMUNDA}decisionRef")
            if not ref:
                self.add(element, f"Geschäftsregel {_label(element)} verweist auf keine Entscheidung "
                                  "(camunda:decisionRef fehlt).")
            elif ref not in bundle.decision_ids:
                self.add(element, f"Geschäftsregel {_label(element)}: Die Entscheidung »{ref}« gibt es in "
                                  "keiner DMN-Datei des Pakets.")

    def call_activities(self, bundle: BundleFacts) -> None:
        for element in self.elements("callActivity"):
            called = element.get("calledElement")
            if not called:
                self.add(element, f"Aufruf {_label(element)} nennt keinen Prozess (calledElement fehlt).")
            elif called not in bundle.process_ids:
                self.add(element, f"Aufruf {_label(element)}: Der Prozess »{called}« "
                                  f"{MISSING_CALLED_PROCESS}.")
            elif called not in bundle.executable_ids:
                self.add(element, f"Aufruf {_label(element)}: Der Prozess »{called}« ist nicht ausführbar.")

    def subprocesses(self) -> None:
        for element in self.elements("subProcess", "transaction"):
            starts = element.findall(f"{BPMN}startEvent")
            if len(starts) != 1:
                self.add(element, f"Teilprozess {_label(element)} braucht genau ein Startereignis "
                                  f"(gefunden: {len(starts)}).")
            if element.find(f"{BPMN}endEvent") is None:
                self.add(element, f"Teilprozess {_label(element)} braucht ein Endereignis.")

    def lanes(self, known_offices: Collection[str] | None) -> None:
        if known_offices is None:
            return
        for lane in self.elements("lane"):
            if lane.find(f"{BPMN}flowNodeRef") is None:
                continue
            office = office_of_lane(lane.get("name"), lane.get("id"), known_offices)
            if office not in known_offices:
                group = lane_group(lane.get("name"), lane.get("id"))
                self.add(lane, f"Die Lane {_label(lane)} ist kein bekanntes Amt; ihre Aufgaben gehen an die "
                               f"Kandidatengruppe »{group}«. Bitte die Gruppe in der Zuständigkeitstabelle "
                               "einem Amt zuordnen (oder die Lane »Bezeichnung (kürzel)« nennen).", "warning")
        for task in self.elements("userTask"):
            first = (task.get(f"{CAMUNDA}candidateGroups") or "").split(",")[0].strip()
            if first and "{" not in first and first not in known_offices:
                self.add(task, f"Aufgabe {_label(task)}: Die Kandidatengruppe »{first}« ist kein bekanntes "
                               "Amt; bitte in der Zuständigkeitstabelle einem Amt zuordnen.", "warning")

    def lint(self) -> None:
        lint_document(self, flow_nodes=FLOW_NODES, label=_label)


class BundleFacts:
    """Ids known across all files of a bundle, for cross-file references."""

    def __init__(self) -> None:
        self.process_ids: set[str] = set()
        self.executable_ids: set[str] = set()
        self.decision_ids: set[str] = set()
        # process id -> (called process, call activity element, file) for every call activity in it
        self.calls: dict[str, list[tuple[str, etree._Element, str]]] = {}

    def add_bpmn(self, root: etree._Element, filename: str = "") -> None:
        for process in root.iter(f"{BPMN}process"):
            self.process_ids.add(process.get("id") or "")
            if process.get("isExecutable", "true") == "true":
                self.executable_ids.add(process.get("id") or "")
            calls = self.calls.setdefault(process.get("id") or "", [])
            calls.extend((call.get("calledElement") or "", call, filename)
                         for call in process.iter(f"{BPMN}callActivity") if call.get("calledElement"))

    def call_cycles(self) -> list[Problem]:
        """Refuse call activities that (directly or through others) call the process they are in."""
        problems = []
        for process_id, calls in self.calls.items():
            for called, element, filename in calls:
                path = self._path(called, process_id)
                if path is not None:
                    chain = " → ".join([process_id, *path])
                    problems.append(Problem(
                        f"Aufruf {_label(element)}: Der Aufruf führt zurück in den Prozess »{process_id}« "
                        f"({chain}); ein Prozess darf sich nicht selbst aufrufen, er liefe endlos.",
                        file=filename or None, element_id=element.get("id"), line=element.sourceline))
        return problems

    def _path(self, start: str, goal: str) -> list[str] | None:
        """Return the chain of calls from start to goal, or None when goal is not reachable."""
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            if node == goal:
                return path
            if node in seen:
                continue
            seen.add(node)
            stack.extend((called, [*path, called]) for called, _element, _file in self.calls.get(node, []))
        return None

    def add_dmn(self, root: etree._Element) -> None:
        # kimflow's decision engine runs every decision of a file (decision requirements graphs).
        self.decision_ids.update(element.get("id") or "" for element in root if local(element) == "decision")
