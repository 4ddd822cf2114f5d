"""Build DMN 1.3 decision tables (one decision per file)."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr


@dataclass
class Table:
    """One DMN decision table (one decision per file)."""

    did: str
    name: str
    inputs: list[tuple[str, str, str]]  # (label, python expression, typeRef)
    outputs: list[tuple[str, str, str]]  # (label, variable name, typeRef)
    rules: list[tuple[list[str], list[str], str]]  # (input cells, output cells, annotation)
    hit_policy: str = "UNIQUE"
    doc: str = ""

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
            f'<decision id="{self.did}" name={quoteattr(self.name)}>',
        ]
        if self.doc:
            out.append(f"<description>{escape(self.doc)}</description>")
        out.append(f'<decisionTable id="table_{self.did}"{hp}>')
        for i, (label, expr, typ) in enumerate(self.inputs):
            # SpiffWorkflow appends a comparison cell to the input text: keep compound inputs whole
            expr = expr if expr.isidentifier() else f"({expr})"
            out.append(
                f'<input id="in_{self.did}_{i}" label={quoteattr(label)}>'
                f'<inputExpression id="inexpr_{self.did}_{i}" typeRef="{typ}">'
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
