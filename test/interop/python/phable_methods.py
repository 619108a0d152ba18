"""Drive every public method of phable's HaystackClient against a haystack-ts server holding the demo building.

Usage: python3 phable_methods.py PHABLE_SRC URL FORMAT USER PASSWORD VIEWER VIEWER_PASSWORD NOW_ISO VAV
FORMAT is json or zinc; NOW_ISO is the server clock (UTC), which the demo history runs up to; VAV names the
Hudson Tower VAV box (vav1-01, ...) whose points this run reads and writes, so that runs sharing a server differ. Standard library
only, like phable itself. Never raises: every step reports its outcome (a small summary of the answer, or the
exception phable raised, with the HTTP status or error grid it carried), so the calling test asserts on each one.
"""

import json
import ssl
import sys
import traceback
import urllib.error
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

src, url, fmt, user, password, viewer, viewer_password, now_iso, vav = sys.argv[1:10]
sys.path.insert(0, src)

from phable import (  # noqa: E402
    AuthError,
    CallError,
    DateRange,
    DateTimeRange,
    HaxallClient,
    HaystackClient,
    Number,
    Ref,
    UnknownRecError,
    open_haystack_client,
)

out = {"steps": {}}
# One SSL context for every request: phable otherwise loads every CA certificate per request, even on plain http.
ctx = ssl.create_default_context()
ny = ZoneInfo("America/New_York")
now = datetime.fromisoformat(now_iso.replace("Z", "+00:00"))
today = now.astimezone(ny).date()


def failure(err):
    """What a caller of phable sees of an error: its type, and the HTTP status or error grid it carries."""
    seen = {"type": type(err).__name__}
    if isinstance(err, urllib.error.HTTPError):
        seen["status"] = err.code
    if isinstance(err, CallError):
        meta = err.help_msg.meta
        seen["errCode"] = meta.get("errCode")
        seen["dis"] = meta.get("dis")
    return seen


def step(name, fn):
    try:
        out["steps"][name] = {"ok": True, "value": fn()}
    except Exception as err:  # noqa: BLE001 - every failure is reported, not raised
        out["steps"][name] = {"ok": False, "error": failure(err), "trace": traceback.format_exc()}


def num(v):
    return v.val if isinstance(v, Number) else v


def ref(v):
    return v.val if isinstance(v, Ref) else v


def his_summary(grid):
    """Rows, the first and last timestamps as ISO text, and the value columns' ids from their meta."""
    rows = grid.rows
    value_cols = [c for c in grid.cols if c.name != "ts"]
    return {
        "rows": len(rows),
        "first": rows[0]["ts"].isoformat() if rows else None,
        "last": rows[-1]["ts"].isoformat() if rows else None,
        "cols": [ref((c.meta or {}).get("id")) for c in value_cols] if len(value_cols) > 1 else None,
        "id": ref(grid.meta.get("id")),
    }


def levels(grid):
    return {str(int(num(r["level"]))): [num(r.get("val")), r.get("who")] for r in grid.rows if r.get("val") is not None}


client = HaystackClient.open(url, user, password, content_type=fmt, ssl_context=ctx)
zat = Ref(f"hudson.{vav}.zat")
zat_sp = Ref(f"hudson.{vav}.zatSp")
airflow = Ref(f"hudson.{vav}.airflow")
dat_sp = Ref("hudson.ahu1.datSp")
fz_dat = Ref("flatirons.ahu1.dat")
nope = Ref("no.such.rec")

step("about", lambda: {k: client.about()[k] for k in ("productName", "serverName")})
step("read", lambda: ref(client.read('site and dis=="Hudson Tower"')["id"]))
step("readMissing", lambda: client.read("site and dis==\"Nowhere\""))
step("readMissingUnchecked", lambda: client.read("site and dis==\"Nowhere\"", checked=False))
step("readAll", lambda: sorted(ref(r["id"]) for r in client.read_all("site").rows))
step("readAllLimit", lambda: len(client.read_all("point", 5).rows))
step("readAllNone", lambda: len(client.read_all("site and chiller").rows))
step("readById", lambda: client.read_by_id(zat)["navName"])
step("readByIdMissing", lambda: client.read_by_id(nope))
step("readByIdMissingUnchecked", lambda: client.read_by_id(nope, checked=False))
step("readByIds", lambda: [ref(r["id"]) for r in client.read_by_ids([zat, Ref("hudson"), fz_dat]).rows])
step("readByIdsUnknown", lambda: client.read_by_ids([zat, nope]))
step("readBadFilter", lambda: client.read_all("site and and"))

yesterday = today - timedelta(days=1)
step("hisReadDate", lambda: his_summary(client.his_read_by_id(zat, yesterday)))
step("hisReadDateRange", lambda: his_summary(client.his_read_by_id(zat, DateRange(yesterday, today))))
t0 = datetime.combine(yesterday, datetime.min.time(), tzinfo=ny) + timedelta(hours=9)
step("hisReadDateTimeRange", lambda: his_summary(client.his_read_by_id(zat, DateTimeRange(t0, t0 + timedelta(hours=1)))))
step("hisReadDateTimeRangeOpen", lambda: his_summary(client.his_read_by_id(zat, DateTimeRange(now.astimezone(ny) - timedelta(hours=1)))))
# phable names a zone by the last part of its IANA name: UTC stays UTC.
utc = ZoneInfo("UTC")
step(
    "hisReadUtcRange",
    lambda: his_summary(client.his_read_by_id(zat, DateTimeRange(t0.astimezone(utc), (t0 + timedelta(hours=1)).astimezone(utc)))),
)
# A Denver point read with a New_York range: the server converts the bounds to the point's zone.
step("hisReadOtherZone", lambda: his_summary(client.his_read_by_id(fz_dat, DateTimeRange(t0, t0 + timedelta(hours=1)))))
step("hisReadByIds", lambda: his_summary(client.his_read_by_ids([zat, airflow], yesterday)))
step(
    "hisReadByIdsDateTimeRange",
    lambda: his_summary(client.his_read_by_ids([zat, airflow], DateTimeRange(t0, t0 + timedelta(hours=1)))),
)
# Points in two zones: the Ops chapter wants a `tz` in the request, which phable has no way to send.
step("hisReadByIdsTwoZones", lambda: client.his_read_by_ids([zat, fz_dat], yesterday))
step("hisReadUnknown", lambda: client.his_read_by_id(nope, yesterday))

w0 = datetime(2020, 3, 2, 8, 0, tzinfo=ny)
step(
    "hisWriteById",
    lambda: len(
        client.his_write_by_id(
            zat, [{"ts": w0, "val": Number(71.5, "°F")}, {"ts": w0 + timedelta(minutes=15), "val": Number(72, "°F")}]
        ).rows
    ),
)
step("hisWriteByIdRead", lambda: [[r["ts"].isoformat(), num(r["val"])] for r in client.his_read_by_id(zat, w0.date()).rows])
step(
    "hisWriteByIds",
    lambda: len(
        client.his_write_by_ids(
            [zat, airflow],
            [
                {"ts": w0 + timedelta(hours=1), "v0": Number(70, "°F")},
                {"ts": w0 + timedelta(hours=2), "v0": Number(70.5, "°F"), "v1": Number(550, "cfm")},
            ],
        ).rows
    ),
)
step(
    "hisWriteByIdsRead",
    lambda: {
        "v0": [num(r["val"]) for r in client.his_read_by_id(zat, w0.date()).rows],
        "v1": [[r["ts"].isoformat(), num(r["val"])] for r in client.his_read_by_id(airflow, w0.date()).rows],
    },
)
# One ts column for points in two zones: each timestamp must be in its point's zone (Ops chapter, HisWrite), so the
# whole write is refused and nothing is written.
step(
    "hisWriteByIdsTwoZones",
    lambda: client.his_write_by_ids(
        [zat, fz_dat], [{"ts": w0 + timedelta(hours=3), "v0": Number(1, "°F"), "v1": Number(2, "°F")}]
    ),
)
step("hisWriteByIdsTwoZonesRead", lambda: len(client.his_read_by_id(zat, w0.date()).rows))
step("hisWriteUnknown", lambda: client.his_write_by_id(nope, [{"ts": w0, "val": Number(1)}]))

step("pointWriteArrayBefore", lambda: levels(client.point_write_array(zat_sp)))
step("pointWriteLevel10", lambda: len(client.point_write(zat_sp, 10, Number(70, "°F"), "phable-10").rows))
step("pointWriteLevel8Duration", lambda: len(client.point_write(zat_sp, 8, Number(68, "°F"), "phable-8", Number(30, "min")).rows))
step("pointWriteLevel1", lambda: len(client.point_write(dat_sp, 1, Number(60, "°F"), "phable-1").rows))
step("pointWriteArray", lambda: levels(client.point_write_array(zat_sp)))
step(
    "pointWriteExpires",
    lambda: [r.get("expires").isoformat() for r in client.point_write_array(zat_sp).rows if num(r["level"]) == 8],
)
step("pointWriteRelease", lambda: len(client.point_write(zat_sp, 8, None, "phable-8").rows))
step("pointWriteArrayAfter", lambda: levels(client.point_write_array(zat_sp)))
step("pointWriteCurVal", lambda: num(client.read_by_id(zat_sp)["curVal"]))
step("pointWriteBadLevel", lambda: client.point_write(zat_sp, 18, Number(70, "°F")))
step("pointWriteWrongKind", lambda: client.point_write(zat_sp, 9, "seventy"))
step("pointWriteNotWritable", lambda: client.point_write(zat, 9, Number(70, "°F")))
step("pointWriteUnknown", lambda: client.point_write(nope, 9, Number(70, "°F")))

step("callOps", lambda: sorted(str(r["name"]) for r in client.call("ops").rows))
step("callFormats", lambda: sorted(str(r["mime"]) for r in client.call("formats", method="GET").rows))
step("callNav", lambda: sorted(ref(r.get("id")) for r in client.call("nav").rows))
step("callUnknownOp", lambda: client.call("noSuchOp"))

# A viewer reads but may not write: how phable surfaces the refusal.
with open_haystack_client(url, viewer, viewer_password, content_type=fmt, ssl_context=ctx) as v:
    step("viewerRead", lambda: len(v.read_all("site").rows))
    step("viewerPointWriteArray", lambda: len(levels(v.point_write_array(zat_sp))) > 0)
    step("viewerPointWrite", lambda: v.point_write(zat_sp, 9, Number(70, "°F"), "viewer"))
    step("viewerHisWrite", lambda: v.his_write_by_id(zat, [{"ts": w0, "val": Number(1, "°F")}]))

# Haxall's own ops (commit, eval) are not Haystack ops: the answer is a refusal phable raises, not a crash.
hx = HaxallClient(url, client._auth_token, content_type=fmt, ssl_context=ctx)
step("haxallEval", lambda: hx.eval("readAll(site)"))
step("haxallCommit", lambda: hx.commit_add({"dis": "phable", "phable": True}))

step("wrongPassword", lambda: HaystackClient.open(url, user, "not-the-password", content_type=fmt, ssl_context=ctx))
step("close", lambda: len(client.close().rows))
step("afterClose", lambda: client.about())
print(json.dumps(out, default=str))
