"""A local Telegram Bot API server for tests, demos and benchmarks (real PTB client)."""

from sandbox.driver import Driver
from sandbox.errors import ApiError
from sandbox.limits import FloodLimits
from sandbox.server import SandboxServer
from sandbox.state import RecordedCall, SandboxChat, SandboxStats, SandboxUser

__all__ = [
    "ApiError",
    "Driver",
    "FloodLimits",
    "RecordedCall",
    "SandboxChat",
    "SandboxServer",
    "SandboxStats",
    "SandboxUser",
]
