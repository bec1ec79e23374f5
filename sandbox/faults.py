"""Fault injection: make the next N calls of a method fail or drop the connection."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from sandbox.errors import ApiError

MODES = ("error", "drop", "drop_after")


@dataclass
class Fault:
    """One armed fault; ``method`` is lower-case or ``*`` for any method."""

    method: str
    remaining: int
    status: int
    mode: str
    description: str | None = None
    retry_after: int | float | None = None

    def error(self) -> ApiError:
        """The error answer this fault produces (mode ``error``)."""
        description = self.description
        if description is None:
            try:
                description = HTTPStatus(self.status).phrase
            except ValueError:
                description = "Unknown Error"
            if self.status == 429:
                description = f"Too Many Requests: retry after {self.retry_after or 1}"
            elif self.status == 400:
                description = "Bad Request: injected fault"
            elif self.status == 403:
                description = "Forbidden: injected fault"
        parameters = {"retry_after": self.retry_after or 1} if self.status == 429 else None
        return ApiError(self.status, description, parameters)


class FaultInjector:
    """Armed faults, consumed in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Arm a fault."""
        if fault.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if fault.remaining < 1:
            raise ValueError("count must be at least 1")
        self._faults.append(fault)

    def take(self, method: str) -> Fault | None:
        """Consume one shot of the first fault matching ``method``."""
        name = method.lower()
        for fault in self._faults:
            if fault.method in (name, "*"):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Disarm everything."""
        self._faults.clear()

    @property
    def armed(self) -> list[Fault]:
        """Faults still waiting to fire."""
        return list(self._faults)
