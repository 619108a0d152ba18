"""Drive haystack-py's WebSocket clients through every method they have against a haystack-ts /api/ws.

Usage: hspy_ws_methods.py WS_URL OPERATOR_TOKEN VIEWER_TOKEN USER PASSWORD
Run with the virtual environment where haystack-py is installed. Prints one JSON object: each step's outcome (a
small summary of the answer, or the exception raised with the error grid's errCode when it is a CallError), so the
calling test can assert on each one. Points p1..p3 are writable Number points (°F, New_York) of site s1.
"""

import asyncio
import json
import sys
import traceback
from datetime import datetime
from zoneinfo import ZoneInfo

from hs_py import ReconnectingWebSocketClient, WebSocketClient, WebSocketPool
from hs_py.errors import CallError
from hs_py.grid import Grid, GridBuilder
from hs_py.kinds import Number, Ref

url, operator_token, viewer_token, user, password = sys.argv[1:6]
out = {"steps": {}}
ny = ZoneInfo("America/New_York")


def ref_id(v):
    return v.val if isinstance(v, Ref) else v


def num(v):
    return v.val if isinstance(v, Number) else v


def failure(err):
    seen = {"type": type(err).__name__}
    if isinstance(err, CallError) and getattr(err, "grid", None) is not None:
        seen["errCode"] = err.grid.meta.get("errCode")
    return seen


async def step(name, coro_fn, summarize=lambda v: v):
    try:
        value = await coro_fn()
        out["steps"][name] = {"ok": True, "value": summarize(value)}
    except Exception as err:  # noqa: BLE001 - every failure is reported, not raised
        out["steps"][name] = {"ok": False, "error": failure(err), "trace": traceback.format_exc()}


def ids(g):
    return [ref_id(r.get("id")) for r in g]


def read_grid(filter):
    return GridBuilder().add_col("filter").add_row({"filter": filter}).to_grid()


async def ops_session():
    async with WebSocketClient(url, auth_token=operator_token, pythonic=False) as ws:
        await step("about", lambda: ws.about(raw=True), lambda g: g[0]["productName"])
        await step("ops", lambda: ws.ops(raw=True), lambda g: sorted(str(r["name"]) for r in g))
        await step("formats", lambda: ws.formats(raw=True), lambda g: sorted(str(r["mime"]) for r in g))
        await step("read", lambda: ws.read("point", raw=True), lambda g: sorted(ids(g)))
        await step("readLimit", lambda: ws.read("point", 2, raw=True), len)
        await step("readByIds", lambda: ws.read_by_ids([Ref("p1"), Ref("nope")], raw=True), ids)
        await step("nav", lambda: ws.nav(raw=True), ids)
        t0 = datetime(2024, 3, 4, 9, 0, tzinfo=ny)
        await step(
            "hisWrite",
            lambda: ws.his_write(Ref("p1"), [{"ts": t0, "val": Number(70, "°F")}, {"ts": t0.replace(minute=15), "val": Number(71, "°F")}]),
        )
        batch_write = (
            GridBuilder()
            .add_col("ts")
            .add_col("v0", {"id": Ref("p2")})
            .add_col("v1", {"id": Ref("p3")})
            .add_row({"ts": t0, "v0": Number(60, "°F"), "v1": Number(50, "°F")})
            .to_grid()
        )
        await step("hisWriteBatch", lambda: ws.his_write_batch(batch_write))
        his = lambda g: [[r["ts"].isoformat(), num(r["val"])] for r in g]  # noqa: E731
        await step("hisReadDate", lambda: ws.his_read(Ref("p1"), "2024-03-04", raw=True), his)
        await step("hisReadDates", lambda: ws.his_read(Ref("p1"), "2024-03-03,2024-03-04", raw=True), his)
        await step(
            "hisReadDateTimes",
            lambda: ws.his_read(Ref("p1"), "2024-03-04T09:10:00-05:00 New_York,2024-03-04T10:00:00-05:00 New_York", raw=True),
            his,
        )
        await step("hisReadDateTime", lambda: ws.his_read(Ref("p1"), "2024-03-04T09:10:00-05:00 New_York", raw=True), his)
        await step("hisReadToday", lambda: ws.his_read(Ref("p1"), "today", raw=True), len)
        await step("hisReadBadRange", lambda: ws.his_read(Ref("p1"), "last tuesday", raw=True))
        await step(
            "hisReadBatch",
            lambda: ws.his_read_batch([Ref("p1"), Ref("p2"), Ref("p3")], "2024-03-04", raw=True),
            lambda g: {"cols": [ref_id((g.col(c).meta or {}).get("id")) if c != "ts" else c for c in g.col_names], "rows": len(g)},
        )
        await step("pointWrite", lambda: ws.point_write(Ref("p2"), 8, Number(65, "°F"), "hs-py ws", Number(10, "min")))
        await step(
            "pointWriteArray",
            lambda: ws.point_write_array(Ref("p2"), raw=True),
            lambda g: [[num(r["level"]), num(r.get("val")), r.get("who")] for r in g if r.get("val") is not None],
        )
        await step("invokeActionUnknown", lambda: ws.invoke_action(Ref("p1"), "noSuchAction", {"a": 1}, raw=True))
        await step("readBadFilter", lambda: ws.read("point and", raw=True))
        await step("pointWriteUnknown", lambda: ws.point_write(Ref("nope"), 8, Number(1, "°F")))
        await step("unknownOp", lambda: ws._call("noSuchOp", Grid.make_empty()))
        await step(
            "batch",
            lambda: ws.batch(("about", Grid.make_empty()), ("read", read_grid("point")), ("read", read_grid("site"))),
            lambda gs: [len(g) for g in gs],
        )
        # One member of a batch fails: the others are answered, and the batch raises the member's error.
        await step(
            "batchWithError",
            lambda: ws.batch(("read", read_grid("point")), ("read", read_grid("point and")), ("about", Grid.make_empty())),
        )
        await step("afterBatchError", lambda: ws.about(raw=True), lambda g: g[0]["productName"])

        # Watches: subscribe, a push on a change, poll, refresh, unsub, close.
        pushes = []
        pushed = asyncio.Event()

        def on_push(watch_id, grid):
            pushes.append((watch_id, [[ref_id(r.get("id")), num(r.get("curVal"))] for r in grid]))
            pushed.set()

        ws.on_watch_push(on_push)
        sub = {}

        async def watch_sub():
            g = await ws.watch_sub([Ref("p1"), Ref("p3")], "hs-py ws", Number(60, "s"), raw=True)
            sub["id"] = g.meta.get("watchId")
            return g

        await step("watchSub", watch_sub, lambda g: {"watchId": bool(g.meta.get("watchId")), "ids": sorted(ids(g))})
        await step("watchPollEmpty", lambda: ws.watch_poll(sub["id"], raw=True), len)

        async def push_after_write():
            await ws.point_write(Ref("p3"), 9, Number(81, "°F"), "hs-py ws")
            await asyncio.wait_for(pushed.wait(), 20)
            return [[w == sub["id"], rows] for w, rows in pushes]

        await step("watchPush", push_after_write)
        await step("watchPollRefresh", lambda: ws.watch_poll(sub["id"], refresh=True, raw=True), lambda g: sorted(ids(g)))
        await step("watchUnsub", lambda: ws.watch_unsub(sub["id"], [Ref("p3")]))
        await step("watchPollAfterUnsub", lambda: ws.watch_poll(sub["id"], refresh=True, raw=True), lambda g: sorted(ids(g)))
        await step("watchClose", lambda: ws.watch_close(sub["id"]))
        await step("watchPollClosed", lambda: ws.watch_poll(sub["id"], raw=True))

    # A viewer reads; its writes are refused with an error grid.
    async with WebSocketClient(url, auth_token=viewer_token, pythonic=False) as viewer:
        await step("viewerRead", lambda: viewer.read("site", raw=True), len)
        await step("viewerPointWrite", lambda: viewer.point_write(Ref("p1"), 8, Number(1, "°F"), "viewer"))
        await step("viewerHisWrite", lambda: viewer.his_write(Ref("p1"), [{"ts": datetime(2024, 3, 5, tzinfo=ny), "val": Number(1, "°F")}]))

    # A bad token: the server closes the socket, so the first call fails.
    async def bad_token():
        async with WebSocketClient(url, auth_token="x" * 43, pythonic=False, timeout=5) as bad:
            return await bad.about(raw=True)

    await step("badToken", bad_token)

    # SCRAM over the socket (its client cannot do this against its own server).
    async def scram():
        async with WebSocketClient(url, username=user, password=password, pythonic=False) as c:
            return await c.about(raw=True)

    await step("scramLogin", scram, lambda g: g[0]["productName"])

    async def scram_wrong():
        async with WebSocketClient(url, username=user, password="not-it", pythonic=False, timeout=5) as c:
            return await c.about(raw=True)

    await step("scramWrongPassword", scram_wrong)

    # Channels of one pooled socket.
    async def pool():
        async with WebSocketPool(url, username=user, password=password, pythonic=False) as p:
            a, b = p.channel("a"), p.channel("b")
            about, points = await asyncio.gather(a.about(raw=True), b.read("point", raw=True))
            return [about[0]["productName"], len(points)]

    await step("pool", pool)

    # Its pool's token login is a message of its own, {"type": "auth", "token": ...}.
    async def pool_token():
        async with WebSocketPool(url, auth_token=operator_token, pythonic=False, timeout=5) as p:
            return (await p.channel("a").about(raw=True))[0]["productName"]

    await step("poolToken", pool_token)


async def reconnecting():
    """ReconnectingWebSocketClient: calls, a drop of its socket, the reconnect, calls and pushes again."""
    connects = []
    connected = asyncio.Event()

    async def on_connect():
        connects.append(len(connects))
        connected.set()

    rc = ReconnectingWebSocketClient(
        url, auth_token=operator_token, pythonic=False, min_reconnect_delay=0.05, on_connect=on_connect
    )
    await rc.start()
    try:
        await asyncio.wait_for(connected.wait(), 10)
        await step("reconnectingAbout", lambda: rc.about(raw=True), lambda g: g[0]["productName"])
        connected.clear()
        # Drop the socket under it (as a network failure would): it reconnects with its token.
        rc._inner._ws._writer.transport.abort()
        await asyncio.wait_for(connected.wait(), 10)
        await step("reconnectedRead", lambda: rc.read("site", raw=True), len)
        await step("reconnects", lambda: asyncio.sleep(0, len(connects)))
    finally:
        await rc.stop()


async def main():
    await ops_session()
    await reconnecting()


asyncio.run(main())
print(json.dumps(out, default=str))
