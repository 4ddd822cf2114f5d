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
    stands_in_for: frozenset[str] = field(default_factory=frozenset)  # absent colleagues this actor deputises

    @property
    def personal_names(self) -> frozenset[str]:
        """Return the usernames whose personal tasks (assignee, candidate user) this actor may work."""
        return self.stands_in_for | {self.name}

    @classmethod
    def system_actor(cls, name: str = "system") -> Actor:
        """Return an actor that may act on every task (CLI, worker, demo)."""
        return cls(name=name, system=True)

    @property
    def is_admin(self) -> bool:
        return self.system or "admin" in self.roles
