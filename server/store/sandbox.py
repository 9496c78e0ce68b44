"""No network for query workers: each worker process moves into a network namespace of its own.

Why here and not only in the text: ``cdkg.server.store.sparql_text`` refuses SERVICE and LOAD in
every spelling we know of, but it is a reading of a grammar that two engines implement in their
own ways; pyoxigraph makes its HTTP requests from Rust, where the workers' Python audit hook
never sees them (issue 12: ``SERVICESILENT<…>`` got through the former text check, and
pyoxigraph fetched the URL). A new network namespace holds only a loopback interface that is
down: no socket reaches any address, 127.0.0.1 included (``connect`` fails with
ENETUNREACH), whatever a query says and whichever engine reads it. The worker's channel to the
server is a socket pair it inherited, which is no network and keeps working.

What ``isolate_network`` tries, in order:

1. ``unshare(CLONE_NEWNET)``: needs CAP_SYS_ADMIN (root, or a container granted it).
2. ``unshare(CLONE_NEWUSER | CLONE_NEWNET)``: unprivileged user namespaces (enabled on most
   Linux distributions). The worker's credentials outside the namespace do not change, so it
   reads the store as before.
3. Neither: the worker refuses to start, so the server does, naming both failures. Setting
   ``CDKG_WORKER_NETWORK=allow`` in the server's environment is the documented opt-out: the
   workers then run with network access, SERVICE and LOAD are refused by the text check only
   (and rdflib's urllib by the audit hook), and the log says so at start. Docker's default
   seccomp profile refuses ``unshare``: give the container ``--cap-add SYS_ADMIN`` or opt out.

No seccomp filter is tried: the one Python binding (pyseccomp, last released in 2021) needs
libseccomp, and a hand-written BPF program per architecture is more to get wrong than a
namespace; a host where neither namespace works is told so and chooses.

After the move the namespace is checked: a connection to 127.0.0.1 must fail with ENETUNREACH.

This protects only queries in worker processes: with ``cdkg serve --workers 0`` queries run in
the server process, which needs its network, and the text check is the only guard (the log
says so). ``cdkg serve --upstream`` forwards queries to another server: the text check runs
before forwarding (``cdkg.server.store.remote``).
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import sys
from collections.abc import Mapping

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
OPT_OUT = "CDKG_WORKER_NETWORK"
"""``CDKG_WORKER_NETWORK=allow``: run the workers with network when no namespace can be made."""
_PROBE = ("127.0.0.1", 9)


class SandboxError(RuntimeError):
    """No network namespace could be made, and the opt-out is not set."""


def _unshare(flags: int) -> None:
    """``unshare(2)``: ``os.unshare`` (Python 3.12+) or libc through ctypes. OSError on
    failure."""
    unshare = getattr(os, "unshare", None)
    if unshare is not None:
        unshare(flags)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def network_reachable() -> bool:
    """Whether this process can open a TCP connection to loopback at all (a refused connection
    counts as reachable: the packet got there).

    >>> network_reachable()
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(_PROBE)
        except OSError as error:
            return error.errno not in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EACCES)
    return True


def isolate_network(environ: Mapping[str, str] = os.environ) -> str:
    """Cut this process (a query worker, before it opens anything) off the network.

    Returns what protects it, for the log. Raises SandboxError when nothing does and
    ``environ`` has no ``CDKG_WORKER_NETWORK=allow``."""
    failures: list[str] = []
    if sys.platform.startswith("linux"):
        attempts = (
            (CLONE_NEWNET, "a network namespace of its own"),
            (CLONE_NEWUSER | CLONE_NEWNET, "a user and network namespace of its own"),
        )
        for flags, name in attempts:
            try:
                _unshare(flags)
            except OSError as error:
                failures.append(f"{name}: {error.strerror or error}")
                continue
            if network_reachable():  # pragma: no cover - a kernel that ignored the flag
                failures.append(f"{name}: loopback still reachable after unshare")
                continue
            return f"no network ({name})"
    else:
        failures.append(f"network namespaces need Linux, not {sys.platform}")
    if environ.get(OPT_OUT) == "allow":
        return (
            f"NETWORK AVAILABLE ({OPT_OUT}=allow; {'; '.join(failures)}): SERVICE and LOAD "
            "are refused by the text check only"
        )
    raise SandboxError(
        f"query workers must run without network, and this host allows no network namespace "
        f"({'; '.join(failures)}); run as root or with CAP_SYS_ADMIN, enable unprivileged user "
        f"namespaces, or set {OPT_OUT}=allow to run the workers with network (docs/endpoint.md)"
    )
