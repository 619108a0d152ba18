"""Serve an ASGI app (haystack-py's FastAPI server) with uvicorn on 127.0.0.1, on a port the OS chooses.

Shared by hspy_server.py and hspy_bench_server.py: prints "LISTENING <port>" once the socket accepts connections
(the line test/support/python.ts waits for), then serves until SIGTERM or SIGINT.
"""

import socket

import uvicorn


async def serve_on_free_port(app, backlog=128):
    """Bind, listen, announce the port, and serve `app` until stopped."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    # Listening before uvicorn starts: early connections wait in the backlog, so no readiness polling is needed.
    sock.listen(backlog)
    print(f"LISTENING {sock.getsockname()[1]}", flush=True)
    await uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on")).serve(sockets=[sock])
