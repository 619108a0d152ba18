"""Drive phable (../shared/interop/phable) against a Haystack server and print what happened as one JSON object.

Usage: python3 phable_session.py PHABLE_SRC URL USER PASSWORD FORMAT LOGINS
FORMAT is json or zinc. Standard library only, like phable itself. Never raises: every step's outcome is
reported, so the calling test can assert on each one.
"""

import json
import ssl
import sys
import traceback
import urllib.error
from datetime import date, datetime
from zoneinfo import ZoneInfo

src, url, user, password, fmt, logins = sys.argv[1:7]
sys.path.insert(0, src)

from phable import DateRange, HaystackClient, Number, Ref  # noqa: E402

out = {"logins": 0, "loginErrors": [], "steps": {}}
# phable builds a default SSL context (loading every CA certificate) for each request unless given one; one
# shared context spares ~0.1 s of CPU per request on plain http.
ctx = ssl.create_default_context()


def step(name, fn):
    try:
        out["steps"][name] = {"ok": True, "value": fn()}
    except Exception as err:  # noqa: BLE001 - every failure is reported, not raised
        out["steps"][name] = {"ok": False, "error": f"{type(err).__name__}: {err}", "trace": traceback.format_exc()}


def num(v):
    return v.val if isinstance(v, Number) else v


# N logins in a row, each used once and closed.
for _ in range(int(logins)):
    try:
        c = HaystackClient.open(url, user, password, content_type=fmt, ssl_context=ctx)
        c.about()
        c.close()
        out["logins"] += 1
    except Exception as err:  # noqa: BLE001
        out["loginErrors"].append(f"{type(err).__name__}: {err}")

client = HaystackClient.open(url, user, password, content_type=fmt, ssl_context=ctx)
ny = ZoneInfo("America/New_York")
t0 = datetime(2024, 1, 2, 10, 0, tzinfo=ny)
t1 = datetime(2024, 1, 2, 10, 15, tzinfo=ny)

step("about", lambda: client.about()["serverName"])
step("read", lambda: str(client.read("site and dis==\"Alpha\"")["id"].val))
step("readAll", lambda: len(client.read_all("site").rows))


def read_cut():
    # Two sites match: limit 1 cuts the answer, whose grid meta then has `incomplete` (HttpApi). phable reads it.
    g = client.read_all("site", 1)
    return [len(g.rows), sorted(g.meta["incomplete"].keys())]


step("readCut", read_cut)
step("readByIds", lambda: [str(r["id"].val) for r in client.read_by_ids([Ref("s1"), Ref("temp")]).rows])
step(
    "hisWrite",
    lambda: len(
        client.his_write_by_id(Ref("temp"), [{"ts": t0, "val": Number(70.5, "°F")}, {"ts": t1, "val": Number(71.25, "°F")}]).rows
    ),
)
step(
    "hisRead",
    lambda: [
        [r["ts"].isoformat(), num(r["val"])]
        for r in client.his_read_by_id(Ref("temp"), DateRange(date(2024, 1, 2), date(2024, 1, 2))).rows
    ],
)
step("pointWrite", lambda: len(client.point_write(Ref("sp"), 8, Number(68, "°F"), "phable").rows))
step(
    "pointWriteArray",
    lambda: [[num(r["level"]), num(r.get("val")), r.get("who")] for r in client.point_write_array(Ref("sp")).rows if r.get("val") is not None],
)
step("close", lambda: len(client.close().rows))


def after_close():
    try:
        client.about()
        return "still open"
    except urllib.error.HTTPError as err:
        return err.code


step("afterClose", after_close)
print(json.dumps(out))
