"""Loopback ports for tests that run servers: whatever the OS has free, not fixed numbers another
process on the machine may hold."""

import socket


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
