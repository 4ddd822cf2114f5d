"""Build DMN 1.3 decision tables in FEEL, as Camunda Modeler writes them (a table and the decisions it requires)."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr


@dataclass
class Table:
    """One DMN decision table, optionally with literal-expression decisions it requires (a small DRG)."""

    did: str
    name: str
    inputs: list[tuple[str, str, str]]  # (label, FEEL expression, typeRef or "")
    outputs: list[tuple[str, str, str]]  # (label, variable name, typeRef)
    rules: list[tuple[list[str], list[str], str]]  # (input cells, output cells, annotation)
    hit_policy: str = "UNIQUE"
    doc: str = ""
    requires: list[tuple[str, str, str, str]] = field(default_factory=list)  # (id, variable, FEEL, typeRef)

    def _required(self) -> list[str]:
        out = []
        for k, (rid, name, expression, typ) in enumerate(self.requires):
            # each literal decision may use the ones listed before it
            needs = "".join(f'<informationRequirement id="req_{rid}_{other}"><requiredDecision href="#{other}" />'
                            "</informationRequirement>" for other, *_rest in self.requires[:k])
            out.append(f'<decision id="{rid}" name="{name}"><variable name="{name}" typeRef="{typ}" />{needs}'
                       f'<literalExpression id="lit_{rid}"><text>{escape(expression)}</text></literalExpression>'
                       "</decision>")
        return out

    def to_xml(self) -> str:
        hp = "" if self.hit_policy == "UNIQUE" else f' hitPolicy="{self.hit_policy}"'
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
            'xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" '
            'xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" '
            f'id="defs_{self.did}" name={quoteattr(self.name)} '
            'namespace="http://kimflow.rhein-kreis-neuss.de/dmn" '
            'exporter="kimflow bpmn/tools" exporterVersion="1.0">',
            *self._required(),
            f'<decision id="{self.did}" name={quoteattr(self.name)}>',
        ]
        if self.doc:
            out.append(f"<description>{escape(self.doc)}</description>")
        out += [f'<informationRequirement id="req_{self.did}_{rid}"><requiredDecision href="#{rid}" />'
                "</informationRequirement>" for rid, _name, _expression, _typ in self.requires]
        out.append(f'<decisionTable id="table_{self.did}"{hp}>')
        for i, (label, expr, typ) in enumerate(self.inputs):
            type_ref = f' typeRef="{typ}"' if typ else ""
            out.append(
                f'<input id="in_{self.did}_{i}" label={quoteattr(label)}>'
                f'<inputExpression id="inexpr_{self.did}_{i}"{type_ref}>'
                f"<text>{escape(expr)}</text></inputExpression></input>"
            )
        for i, (label, name, typ) in enumerate(self.outputs):
            out.append(
                f'<output id="out_{self.did}_{i}" label={quoteattr(label)} name="{name}" typeRef="{typ}" />'
            )
        for r, (ins, outs, note) in enumerate(self.rules):
            assert len(ins) == len(self.inputs) and len(outs) == len(self.outputs), (self.did, r)
            out.append(f'<rule id="rule_{self.did}_{r}">')
            if note:
                out.append(f"<description>{escape(note)}</description>")
            for i, cell in enumerate(ins):
                out.append(f'<inputEntry id="ie_{self.did}_{r}_{i}"><text>{escape(cell)}</text></inputEntry>')
            for i, cell in enumerate(outs):
                out.append(
                    f'<outputEntry id="oe_{self.did}_{r}_{i}"><text>{escape(cell)}</text></outputEntry>'
                )
            out.append("</rule>")
        out.append("</decisionTable></decision>")
        out.append(
            f'<dmndi:DMNDI><dmndi:DMNDiagram id="dmndiagram_{self.did}">'
            f'<dmndi:DMNShape id="shape_{self.did}" dmnElementRef="{self.did}">'
            '<dc:Bounds height="80" width="180" x="160" y="100" /></dmndi:DMNShape>'
            "</dmndi:DMNDiagram></dmndi:DMNDI>"
        )
        out.append("</definitions>")
        return "\n".join(out) + "\n"
