"""A local Telegram Bot API server for tests, demos and benchmarks (real PTB client)."""

from bot.sandbox.errors import ApiError
from bot.sandbox.limits import FloodLimits
from bot.sandbox.server import SandboxServer
from bot.sandbox.state import RecordedCall, SandboxChat, SandboxStats, SandboxUser

__all__ = [
    "ApiError",
    "FloodLimits",
    "RecordedCall",
    "SandboxChat",
    "SandboxServer",
    "SandboxStats",
    "SandboxUser",
]
