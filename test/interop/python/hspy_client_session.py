"""Drive haystack-py's HTTP client (hs_py.Client) through every op it has against a Haystack server.

Usage: python hspy_client_session.py URL USER PASSWORD FORMAT
Run with the virtual environment where haystack-py is installed. Prints one JSON object: each op's outcome
(ok and a small summary of the answer, or the error), so the calling test can assert on each one.
"""

import asyncio
import json
import sys
import traceback
from datetime import datetime
from zoneinfo import ZoneInfo

from hs_py import Client
from hs_py.grid import GridBuilder
from hs_py.kinds import Number, Ref

url, user, password, fmt = sys.argv[1:5]
out = {"steps": {}}


def ref_id(v):
    return v.val if isinstance(v, Ref) else v


def num(v):
    return v.val if isinstance(v, Number) else v


def summary(grid):
    return {"rows": len(grid), "cols": list(grid.col_names), "meta": sorted(grid.meta.keys())}


async def step(name, coro_fn, summarize=summary):
    try:
        value = await coro_fn()
        out["steps"][name] = {"ok": True, "value": summarize(value) if value is not None else None}
    except Exception as err:  # noqa: BLE001 - every failure is reported, not raised
        out["steps"][name] = {"ok": False, "error": f"{type(err).__name__}: {err}", "trace": traceback.format_exc()}


async def main():
    ny = ZoneInfo("America/New_York")
    t0 = datetime(2024, 1, 3, 9, 0, tzinfo=ny)
    t1 = datetime(2024, 1, 3, 9, 30, tzinfo=ny)
    async with Client(url, user, password, pythonic=False, accept_format=fmt) as c:
        await step("about", lambda: c.about(raw=True), lambda g: g[0].get("serverName"))
        await step("ops", lambda: c.ops(raw=True), lambda g: sorted(str(r.get("name")) for r in g))
        await step("formats", lambda: c.formats(raw=True), lambda g: sorted(str(r.get("mime")) for r in g))
        await step("read", lambda: c.read("site", raw=True), lambda g: sorted(ref_id(r["id"]) for r in g))
        await step("readLimit", lambda: c.read("point", 2, raw=True), len)
        await step(
            "readByIds", lambda: c.read_by_ids([Ref("s1"), Ref("nope")], raw=True), lambda g: [ref_id(r.get("id")) for r in g]
        )
        await step("nav", lambda: c.nav(raw=True), lambda g: sorted(ref_id(r.get("id")) for r in g))
        await step(
            "hisWrite",
            lambda: c.his_write(Ref("temp"), [{"ts": t0, "val": Number(66.5, "°F")}, {"ts": t1, "val": Number(67, "°F")}]),
        )
        await step(
            "hisRead",
            lambda: c.his_read(Ref("temp"), "2024-01-03", raw=True),
            lambda g: [[r["ts"].isoformat(), num(r["val"])] for r in g],
        )
        await step(
            "hisReadBatch",
            lambda: c.his_read_batch([Ref("temp"), Ref("occ")], "2024-01-03", raw=True),
            lambda g: {"cols": list(g.col_names), "rows": len(g)},
        )
        batch = (
            GridBuilder()
            .add_col("ts")
            .add_col("v0", {"id": Ref("temp")})
            .add_row({"ts": datetime(2024, 1, 3, 10, 0, tzinfo=ny), "v0": Number(68, "°F")})
            .to_grid()
        )
        await step("hisWriteBatch", lambda: c.his_write_batch(batch))
        await step("pointWrite", lambda: c.point_write(Ref("sp"), 10, Number(70, "°F"), "hs-py"))
        await step(
            "pointWriteArray",
            lambda: c.point_write_array(Ref("sp"), raw=True),
            lambda g: [[num(r["level"]), num(r.get("val")), r.get("who")] for r in g if r.get("val") is not None],
        )
        sub = {}

        async def watch_sub():
            g = await c.watch_sub([Ref("temp"), Ref("sp")], "hs-py watch", Number(60, "s"), raw=True)
            sub["id"] = g.meta.get("watchId")
            return g

        await step("watchSub", watch_sub, lambda g: {"watchId": bool(g.meta.get("watchId")), "rows": len(g)})
        await step("watchPoll", lambda: c.watch_poll(sub.get("id", ""), refresh=True, raw=True), len)
        await step("watchUnsub", lambda: c.watch_unsub(sub.get("id", ""), [Ref("sp")]))
        await step("watchClose", lambda: c.watch_close(sub.get("id", "")))
        await step(
            "invokeAction", lambda: c.invoke_action(Ref("ahu1"), "ping", {"note": "hi"}, raw=True), lambda g: g[0].get("pong")
        )
        out["token"] = c._auth_token
    # Leaving the block sent `GET close`, which the client sends and never checks: the test checks the session.


asyncio.run(main())
print(json.dumps(out, default=str))
