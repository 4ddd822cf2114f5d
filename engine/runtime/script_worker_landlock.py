"""Shut a script worker off from files, TCP and signals to other processes with Linux Landlock.

Best effort: on kernels without Landlock (before 5.13, or disabled) nothing happens and the worker's
other limits still hold (no new file descriptors, no child processes, no root). With it, even code that
got out of the sandbox can open no file (not /proc/<parent>/environ), connect nowhere and, from ABI 6
(Linux 6.12), send no signal to the app process.
"""

from __future__ import annotations

import ctypes
import os
import struct

_CREATE_RULESET, _RESTRICT_SELF = 444, 446  # the same numbers on every architecture
_VERSION = 1  # LANDLOCK_CREATE_RULESET_VERSION
_FS_BITS_BY_ABI = {1: 13, 2: 14, 3: 15, 4: 15, 5: 16}  # handled filesystem rights: bits 0 .. n-1
_NET_TCP = 0b11  # bind and connect (ABI 4)
_SCOPES = 0b11  # abstract unix sockets and signals (ABI 6)
_PR_SET_NO_NEW_PRIVS = 38


def restrict() -> int:
    """Deny this process every filesystem right, TCP and outside signals Landlock knows; return its ABI."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        abi = int(libc.syscall(_CREATE_RULESET, None, 0, _VERSION))
    except (OSError, AttributeError):
        return 0
    if abi < 1:
        return 0
    fs_rights = (1 << _FS_BITS_BY_ABI.get(abi, 16)) - 1
    if abi >= 6:
        attr = struct.pack("QQQ", fs_rights, _NET_TCP, _SCOPES)
    elif abi >= 4:
        attr = struct.pack("QQ", fs_rights, _NET_TCP)
    else:
        attr = struct.pack("Q", fs_rights)
    buffer = ctypes.create_string_buffer(attr, len(attr))
    ruleset = int(libc.syscall(_CREATE_RULESET, buffer, len(attr), 0))
    if ruleset < 0:
        return 0
    try:
        libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        if int(libc.syscall(_RESTRICT_SELF, ruleset, 0)) != 0:
            return 0
    finally:
        os.close(ruleset)
    return abi
