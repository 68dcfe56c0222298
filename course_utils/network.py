"""Switching the network off for a Python process, at the socket level (the course's tests do).

With ``COURSE_NETWORK=off`` in the environment, importing ``course_utils`` calls :func:`refuse`:
from then on every connection to an address outside this machine's loopback (``127.0.0.0/8``,
``::1``) and every name lookup of a host other than this one fails at once with
:class:`NetworkRefused`, an ``OSError`` like any failed connection, so the code that meets it takes
its offline path. Loopback (Jupyter's kernels, local servers) and Unix sockets keep working.

This module uses the standard library only, so that a ``sitecustomize`` module can load it by its
file path before anything else runs (``tests/no_network/sitecustomize.py``: the test suite puts
that folder on ``PYTHONPATH``, so every Python it starts, notebook kernels included, is offline
from its first line). It covers what goes through Python's ``socket`` module (urllib, http.client,
pip, Keras's downloads); a C library that opens its own sockets is not covered.
"""

from __future__ import annotations

import ipaddress
import os
import socket

SWITCH = "COURSE_NETWORK"  # "off": refuse the network in this process and every process it starts
MARK = "_course_network_refused"  # set on the socket module once refused, so refusing twice is harmless
LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


NetworkRefused = getattr(socket, "_course_NetworkRefused", None)
if NetworkRefused is None:  # one class per process, even when this file is loaded twice (by its path, then as a module)
    class NetworkRefused(ConnectionRefusedError):
        """A connection refused because the network is switched off."""

    socket._course_NetworkRefused = NetworkRefused


def switched_off() -> bool:
    """True when ``COURSE_NETWORK=off`` is set."""
    return os.environ.get(SWITCH, "").strip().lower() == "off"


def is_refusing() -> bool:
    """True once :func:`refuse` has run in this process."""
    return bool(getattr(socket, MARK, False))


def is_local_host(host) -> bool:
    """True for this machine: a loopback address, ``localhost``, or its own host name."""
    if host is None:
        return True
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    host = str(host).strip().rstrip(".").lower()
    if host in LOCAL_NAMES or host == socket.gethostname().lower():
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _message(what: str) -> str:
    return f"the network is switched off ({SWITCH}=off): {what} refused"


def refuse() -> None:
    """Refuses every non-loopback connection and every lookup of a non-local host in this process."""
    if is_refusing():
        return
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo, real_gethostbyname = socket.getaddrinfo, socket.gethostbyname
    real_gethostbyname_ex = socket.gethostbyname_ex

    def check_address(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local_host(address[0]):
            raise NetworkRefused(_message(f"connection to {address[0]} port {address[1]}"))

    def connect(self, address):
        check_address(self, address)
        return real_connect(self, address)

    def connect_ex(self, address):
        check_address(self, address)
        return real_connect_ex(self, address)

    def check_lookup(host):
        if not is_local_host(host):
            try:  # an address needs no lookup: connect() decides about it
                ipaddress.ip_address(str(host).split("%")[0])
            except ValueError:
                error = socket.gaierror(socket.EAI_NONAME, _message(f"name lookup of {host}"))
                raise error from None

    def getaddrinfo(host, *args, **kwargs):
        check_lookup(host)
        return real_getaddrinfo(host, *args, **kwargs)

    def gethostbyname(host):
        check_lookup(host)
        return real_gethostbyname(host)

    def gethostbyname_ex(host):
        check_lookup(host)
        return real_gethostbyname_ex(host)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex = getaddrinfo, gethostbyname, gethostbyname_ex
    setattr(socket, MARK, True)


def short_error(error: BaseException, limit: int = 320) -> str:
    """An error as one line for a learner: ``Type: message``, its whitespace collapsed, its middle cut
    (``…``) when longer than ``limit`` characters, so that both what failed and why stay readable."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "…" + text[-half:]


def refuse_if_switched_off() -> bool:
    """Calls :func:`refuse` when ``COURSE_NETWORK=off``; returns whether the network is refused."""
    if switched_off():
        refuse()
    return is_refusing()
