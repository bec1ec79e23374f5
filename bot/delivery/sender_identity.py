"""Who holds an outbox row: a sender id that says which machine and process it runs in.

``host:machine:pid:start:nonce``. ``machine`` hashes the host name, the kernel boot id and
the PID namespace, so two containers never look like one machine; ``start`` is the process
start time (a recycled PID is not mistaken for the old process). A sender on the same machine
can then tell at once that the holder of some rows is dead (killed, crashed) and take its rows
back without waiting for the lease to run out; holders elsewhere are judged by their lease.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
from functools import cache
from pathlib import Path


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii").strip()
    except OSError:
        return ""


@cache
def machine_tag() -> str:
    """Eight hex digits naming this machine (and PID namespace)."""
    try:
        pid_ns = os.readlink("/proc/self/ns/pid")
    except OSError:
        pid_ns = ""
    seed = "|".join((socket.gethostname(), _read("/proc/sys/kernel/random/boot_id"), pid_ns))
    return hashlib.sha256(seed.encode()).hexdigest()[:8]


def _start_time(pid: int) -> str | None:
    """The process start time in clock ticks since boot, None if there is no such process
    (or it is a zombie); "0" where /proc is missing."""
    if not Path("/proc").is_dir():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return "0"
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    if fields[0] in ("Z", "X"):  # killed, not yet reaped
        return None
    return fields[19]


def new_sender_id() -> str:
    """A fresh id for one sender in this process (fits the 64-character column)."""
    host = socket.gethostname().split(".")[0][:16] or "host"
    pid = os.getpid()
    return f"{host}:{machine_tag()}:{pid}:{_start_time(pid) or 0}:{secrets.token_hex(2)}"


def is_dead(sender_id: str) -> bool:
    """True only when ``sender_id`` ran on this machine and its process is gone."""
    parts = sender_id.split(":")
    if len(parts) != 5 or parts[1] != machine_tag() or not parts[2].isdigit():
        return False
    pid, started = int(parts[2]), parts[3]
    now_started = _start_time(pid)
    return now_started is None or (started != "0" and now_started != started)
