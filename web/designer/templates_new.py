"""Empty diagrams a new process or decision starts from."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr


def new_bpmn(process_id: str, name: str) -> str:
    """Return a BPMN diagram with one executable process, a start event and its shape."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_{process_id}" targetNamespace="http://kimflow.de/bpmn">
  <bpmn:process id={quoteattr(process_id)} name={quoteattr(name)} isExecutable="true">
    <bpmn:startEvent id="start" name="Start" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_{process_id}">
    <bpmndi:BPMNPlane id="plane_{process_id}" bpmnElement={quoteattr(process_id)}>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="160" y="100" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def new_dmn(decision_id: str, name: str) -> str:
    """Return a DMN file with one decision table (one input, one output, no rules)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs_{decision_id}"
  name={quoteattr(name)} namespace="http://kimflow.de/dmn">
  <decision id={quoteattr(decision_id)} name={quoteattr(name)}>
    <decisionTable id="table_{decision_id}" hitPolicy="UNIQUE">
      <input id="input_1" label="Eingabe"><inputExpression id="input_expr_1" typeRef="string">
        <text>eingabe</text></inputExpression></input>
      <output id="output_1" label="Ergebnis" name="ergebnis" typeRef="string" />
    </decisionTable>
  </decision>
</definitions>
"""
