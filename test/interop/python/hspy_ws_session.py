"""haystack-py's WebSocketClient against a haystack-ts server: about, read, a batch and a watch push.

Usage: hspy_ws_session.py <ws-url> <bearer-token>; prints one JSON report on stdout.
"""

import asyncio
import json
import sys

from hs_py import WebSocketClient
from hs_py.grid import Grid, GridBuilder
from hs_py.kinds import Number, Ref


async def main(url: str, token: str) -> None:
    report: dict = {}
    async with WebSocketClient(url, auth_token=token, pythonic=False) as ws:
        about = await ws.about(raw=True)
        report["productName"] = about.rows[0]["productName"]
        sites = await ws.read("site", raw=True)
        report["sites"] = [row["dis"] for row in sites.rows]
        points = GridBuilder().add_col("filter").add_row({"filter": "point"}).to_grid()
        answers = await ws.batch(("about", Grid.make_empty()), ("read", points))
        report["batch"] = [len(answers[0].rows), len(answers[1].rows)]
        pushed: asyncio.Future = asyncio.get_running_loop().create_future()

        def on_push(watch_id: str, grid: Grid) -> None:
            if not pushed.done():
                pushed.set_result((watch_id, grid))

        ws.on_watch_push(on_push)
        sub = await ws.watch_sub([Ref("p1")], "hs-py", raw=True)
        watch_id = sub.meta["watchId"]
        await ws.point_write(Ref("p1"), 8, Number(77.0))
        got_id, grid = await asyncio.wait_for(pushed, 30)
        cur = grid.rows[0]["curVal"]
        report["push"] = {"sameWatch": got_id == watch_id, "curVal": float(getattr(cur, "val", cur))}
        await ws.watch_close(watch_id)
    print(json.dumps(report))


asyncio.run(main(sys.argv[1], sys.argv[2]))
