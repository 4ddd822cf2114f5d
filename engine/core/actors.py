"""Who acts on the engine: passed into every call, never read from a request global."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """A person or system acting on the engine, with the units and offices they belong to."""

    name: str
    units: frozenset[str] = field(default_factory=frozenset)
    offices: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    system: bool = False

    @classmethod
    def system_actor(cls, name: str = "system") -> Actor:
        """Return an actor that may act on every task (CLI, worker, demo)."""
        return cls(name=name, system=True)

    @property
    def is_admin(self) -> bool:
        return self.system or "admin" in self.roles

    def may_work_on(self, *, unit: str | None, office: str | None, candidate_users: list[str],
                    assignee: str | None) -> bool:
        """Tell whether this actor belongs to the task's unit, office or candidate users."""
        if self.system:
            return True
        if self.name == assignee or self.name in (candidate_users or []):
            return True
        if unit is not None:
            return unit in self.units
        return office is not None and (office in self.offices or office in self.units)
