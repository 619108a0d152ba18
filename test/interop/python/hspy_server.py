"""Run haystack-py's own FastAPI server (the [server] extra) over a small in-memory building, with SCRAM login.

Usage: python hspy_server.py USER PASSWORD
Binds 127.0.0.1 on a port the OS chooses, prints "LISTENING <port>" once it accepts connections, and serves
until it gets SIGTERM or SIGINT. Entities: sites s1 and s2, a his point `temp` (New_York, °F) with two samples,
and a writable his point `flow` (cfm) with none, for the tests that write.
"""

import asyncio
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from hs_py.auth_types import SimpleAuthenticator
from hs_py.fastapi_server import create_fastapi_app
from hs_py.kinds import MARKER, Number, Ref
from hs_py.storage.memory import InMemoryAdapter
from hspy_listen import serve_on_free_port

user, password = sys.argv[1:3]
ny = ZoneInfo("America/New_York")
store = InMemoryAdapter(
    [
        {"id": Ref("s1"), "dis": "Alpha", "site": MARKER, "tz": "New_York"},
        {"id": Ref("s2"), "dis": "Bravo", "site": MARKER, "tz": "Chicago"},
        {
            "id": Ref("temp"),
            "dis": "Alpha Temp",
            "point": MARKER,
            "his": MARKER,
            "kind": "Number",
            "unit": "°F",
            "tz": "New_York",
            "siteRef": Ref("s1"),
        },
        {
            "id": Ref("flow"),
            "dis": "Alpha Flow",
            "point": MARKER,
            "his": MARKER,
            "writable": MARKER,
            "kind": "Number",
            "unit": "cfm",
            "tz": "New_York",
            "siteRef": Ref("s1"),
        },
    ]
)


async def main():
    await store.his_write(
        Ref("temp"),
        [
            {"ts": datetime(2024, 1, 2, 10, 0, tzinfo=ny), "val": Number(70.5, "°F")},
            {"ts": datetime(2024, 1, 2, 10, 15, tzinfo=ny), "val": Number(71.25, "°F")},
        ],
    )
    # 4096 iterations (the RFC 7677 floor) keeps PBKDF2 cheap on shared CI machines.
    app = create_fastapi_app(storage=store, authenticator=SimpleAuthenticator({user: password}, iterations=4096))
    await serve_on_free_port(app)


asyncio.run(main())
