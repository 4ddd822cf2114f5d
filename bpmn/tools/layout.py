"""A simple automatic BPMNDI layout: columns by longest path from the start, rows inside each lane."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bpmnlib import Flow, Node, Process

SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}
COL_W, ROW_H, LANE_PAD, LEFT = 160, 120, 30, 80


def _shape(element: str, bounds: tuple[float, float, float, float], horizontal: bool = False) -> str:
    x, y, w, h = bounds
    hz = ' isHorizontal="true"' if horizontal else ""
    return (
        f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"{hz}>'
        f'<dc:Bounds x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" /></bpmndi:BPMNShape>'
    )


class _Layout:
    """Place nodes in columns (longest path from the start) and rows inside their lane."""

    def __init__(self, process: Process):
        self.p = process
        process._layout = self
        self.lane_bounds: dict[str, tuple[float, float, float, float]] = {}

    def run(self) -> None:
        nodes = self.p.nodes
        top = [n for n in nodes.values() if n.parent is None and n.kind != "subProcess"]
        self._columns(top)
        self._inner_columns()
        self._rows()
        self._coordinates()

    def _succ(self, nid: str) -> list[str]:
        out = [f.target for f in self.p.flows if f.source == nid]
        out += [n.id for n in self.p.nodes.values() if n.attached_to == nid]
        return out

    def _columns(self, top: list[Node]) -> None:
        nodes = self.p.nodes
        order: list[str] = []
        back: set[tuple[str, str]] = set()
        state: dict[str, int] = {}

        def dfs(nid: str) -> None:
            state[nid] = 1
            for s in self._succ(nid):
                if state.get(s) == 1:
                    back.add((nid, s))
                elif s not in state:
                    dfs(s)
            state[nid] = 2
            order.append(nid)

        for n in top:
            if n.kind == "startEvent" and n.id not in state:
                dfs(n.id)
        for n in top:
            if n.id not in state:
                dfs(n.id)
        for nid in reversed(order):
            node = nodes[nid]
            for s in self._succ(nid):
                if (nid, s) in back:
                    continue
                step = 0 if nodes[s].attached_to == nid else 1
                nodes[s].col = max(nodes[s].col, node.col + step)
        self.back = back

    def _inner_columns(self) -> None:
        for sub in (n for n in self.p.nodes.values() if n.kind == "subProcess"):
            inner = [n for n in self.p.nodes.values() if n.parent == sub.id]
            for i, n in enumerate(inner):
                n.col = i

    def _rows(self) -> None:
        used: dict[tuple[str, int], set[int]] = {}
        for n in self.p.nodes.values():
            if n.parent is not None or n.attached_to or n.kind == "subProcess":
                continue
            rows = used.setdefault((n.lane, n.col), set())
            n.row = min(r for r in range(len(rows) + 1) if r not in rows)
            rows.add(n.row)
        self.taken = {key: max(rows) for key, rows in used.items()}
        for n in self.p.nodes.values():
            if n.kind == "subProcess":
                n.row = max((v for (lane, _), v in self.taken.items() if lane == n.lane), default=-1) + 1
                n.col = 0
                self.taken[(n.lane, -1 - len(self.taken))] = n.row + 1

    def _coordinates(self) -> None:
        nodes = self.p.nodes
        lane_rows = {code: 1 for code, _ in self.p.lanes}
        for (lane, _), row in self.taken.items():
            lane_rows[lane] = max(lane_rows[lane], row + 1)
        max_col = max((n.col for n in nodes.values() if n.parent is None), default=0)
        width = LEFT + (max_col + 1) * COL_W + 80
        y = 0.0
        lane_top = {}
        for code, _ in self.p.lanes:
            height = lane_rows[code] * ROW_H + 2 * LANE_PAD
            self.lane_bounds[code] = (30, y, width, height)
            lane_top[code] = y
            y += height
        self.pool = (0, 0, width + 30, y)
        for n in nodes.values():
            if n.parent is None and not n.attached_to and n.kind != "subProcess":
                n.w, n.h = SIZES[n.shape]
                cx = LEFT + n.col * COL_W + COL_W / 2
                cy = lane_top[n.lane] + LANE_PAD + n.row * ROW_H + ROW_H / 2
                n.x, n.y = cx - n.w / 2, cy - n.h / 2
        for sub in (n for n in nodes.values() if n.kind == "subProcess"):
            inner = [n for n in nodes.values() if n.parent == sub.id]
            sub.w, sub.h = len(inner) * COL_W + 40, 2 * ROW_H - 20
            sub.x = LEFT + 20
            sub.y = lane_top[sub.lane] + LANE_PAD + sub.row * ROW_H
            for n in inner:
                n.w, n.h = SIZES[n.shape]
                cx = sub.x + 20 + n.col * COL_W + COL_W / 2
                cy = sub.y + sub.h / 2
                n.x, n.y = cx - n.w / 2, cy - n.h / 2
        for n in nodes.values():
            if n.attached_to:
                host = nodes[n.attached_to]
                n.w, n.h = SIZES["event"]
                n.x, n.y = host.x + host.w - 28, host.y + host.h - 18

    def waypoints(self, f: Flow) -> list[tuple[float, float]]:
        s, t = self.p.nodes[f.source], self.p.nodes[f.target]
        if s.attached_to:
            sx, sy = s.x + s.w / 2, s.y + s.h
            tx, ty = t.x, t.y + t.h / 2
            if ty <= sy:
                return [(sx, sy), (sx, sy + 20), (tx - 20, sy + 20), (tx - 20, ty), (tx, ty)]
            return [(sx, sy), (sx, ty), (tx, ty)]
        sx, sy = s.x + s.w, s.y + s.h / 2
        tx, ty = t.x, t.y + t.h / 2
        if tx > sx:
            if abs(sy - ty) < 1:
                return [(sx, sy), (tx, ty)]
            mx = tx - 20
            return [(sx, sy), (mx, sy), (mx, ty), (tx, ty)]
        # back edge: leave at the bottom, run below both, enter at the bottom
        bottom = max(s.y + s.h, t.y + t.h) + 25
        scx, tcx = s.x + s.w / 2, t.x + t.w / 2
        return [(scx, s.y + s.h), (scx, bottom), (tcx, bottom), (tcx, t.y + t.h)]
