"""Run haystack-py's FastAPI server over a Zinc building plus one his point, for bench/server-vs-hspy.ts.

Usage: python hspy_bench_server.py ZINC_FILE HIS_ID IANA_TZ HAYSTACK_TZ SITE_ID START_DATE SAMPLES STEP_MIN [USER PASSWORD]
The entities are the rows of ZINC_FILE (read in place with haystack-py's own Zinc decoder) plus a Number point
HIS_ID (°F, tz HAYSTACK_TZ, siteRef SITE_ID) whose history is SAMPLES samples STEP_MIN minutes apart from midnight
of START_DATE in IANA_TZ, the i-th worth i % 100 °F: the bench writes the same point and samples into our store.
With USER and PASSWORD the server requires SCRAM login (4096 iterations, as hspy_server.py); without them it serves
without authentication (create_fastapi_app's authenticator=None). uvicorn picks uvloop and httptools, installed
by the [server] extra. Serves on 127.0.0.1 as hspy_listen.py says.
Beside hspy_server.py rather than a variant of it: that one serves a fixed three-entity building for the tests.
"""

import asyncio
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hs_py.auth_types import SimpleAuthenticator
from hs_py.encoding.zinc import decode_grid
from hs_py.fastapi_server import create_fastapi_app
from hs_py.kinds import MARKER, Number, Ref
from hs_py.storage.memory import InMemoryAdapter
from hspy_listen import serve_on_free_port

zinc_file, his_id, iana_tz, haystack_tz, site_id, start_date, samples, step_min = sys.argv[1:9]
login = sys.argv[9:11]

with open(zinc_file, encoding="utf-8") as f:
    entities = [dict(row) for row in decode_grid(f.read())]
entities.append(
    {
        "id": Ref(his_id),
        "dis": "Bench His Point",
        "point": MARKER,
        "his": MARKER,
        "kind": "Number",
        "unit": "°F",
        "tz": haystack_tz,
        "siteRef": Ref(site_id),
    }
)
store = InMemoryAdapter(entities)


async def main():
    tz = ZoneInfo(iana_tz)
    # Steps added in UTC, then shown in the zone: wall-clock arithmetic would be wrong across a DST change.
    start = datetime.combine(date.fromisoformat(start_date), datetime.min.time(), tzinfo=tz).astimezone(timezone.utc)
    step = timedelta(minutes=int(step_min))
    await store.his_write(
        Ref(his_id),
        [{"ts": (start + i * step).astimezone(tz), "val": Number(float(i % 100), "°F")} for i in range(int(samples))],
    )
    auth = SimpleAuthenticator({login[0]: login[1]}, iterations=4096) if len(login) == 2 else None
    # A deep backlog: the bench opens its connections at once.
    await serve_on_free_port(create_fastapi_app(storage=store, authenticator=auth), backlog=1024)


asyncio.run(main())
