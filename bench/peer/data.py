"""The peer workload's data: ``inquiries`` exports of 100k, 1m or 10m records.

Ported from the peer comparison's generator (``gen_data.py`` and ``common.py``
of the five-rule "inquiries" workload that clausewise is compared on against
other rule engines). The seed, the order of the random draws and the column
types are kept exactly, so a size gives the same records as there and, at
1,000,000 records, the same 430,513 findings. What changed is only where the
files go: one export folder per size and file format, holding one file named
after the dataset (``inquiries.parquet`` or ``inquiries.csv``), as
``clausewise audit`` reads it.

Needs numpy and pyarrow (``pip install -e '.[bench]'``); clausewise does not.

The records, per the generator's own comments: the channel is valid for 99.5 %
(the rest ``fax``, ``letter`` or ``Hotline``); ``received_at`` is uniform over
March 2024 to the second, with 0.05 % each put exactly 4, 8, 24 and 72 hours
before the as-of time (2024-04-01 00:00); the reply comes after a delay drawn
from a mixture, 1 % exactly on a limit (4, 8, 24 or 72 hours), and is missing
for 3 %; 35 % are answered on the spot; the contact is missing for 1 % and an
empty string for 0.3 %; priority P1/P2/P3/P4 for 10/25/40/25 %; likelihood
and impact 1..5. Timestamps are naive (no zone).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

SEED = 20240301
SIZES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
FORMATS = ("parquet", "csv")

MONTH_START = _dt.datetime(2024, 3, 1)
AS_OF = _dt.datetime(2024, 4, 1)  # the exclusive end of March 2024
_EPOCH = _dt.datetime(1970, 1, 1)
MONTH_START_EPOCH = int((MONTH_START - _EPOCH).total_seconds())
AS_OF_EPOCH = int((AS_OF - _EPOCH).total_seconds())  # 1711929600

REPLY_LIMIT_S = 24 * 3600
PRIORITY_LIMIT_S = {"P1": 4 * 3600, "P2": 8 * 3600, "P3": 24 * 3600, "P4": 72 * 3600}
VALID_CHANNELS = ("hotline", "online", "email")


def generate(n: int, seed: int = SEED):
    """The ``n`` records as a pyarrow Table (9 columns); the same ``n`` and seed give the same table."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    ids = np.char.add("INQ-", np.char.zfill(np.arange(1, n + 1).astype(str), 8))

    # channel: 99.5% valid, 0.5% invalid (incl. a case variant)
    valid = np.array(list(VALID_CHANNELS))
    invalid = np.array(["fax", "letter", "Hotline"])
    channel = valid[rng.integers(0, 3, n)]
    bad = rng.random(n) < 0.005
    channel[bad] = invalid[rng.integers(0, 3, bad.sum())]

    # received_at: uniform over March 2024 (second resolution)
    month_secs = AS_OF_EPOCH - MONTH_START_EPOCH
    recv = MONTH_START_EPOCH + rng.integers(0, month_secs, n)
    # inject exact "as_of - limit" boundaries (0.05% each)
    for lim_h in (4, 8, 24, 72):
        m = rng.random(n) < 0.0005
        recv[m] = AS_OF_EPOCH - lim_h * 3600

    # reply delay (seconds): mixture + exact-boundary values
    u = rng.random(n)
    delay = np.empty(n, dtype=np.int64)
    buckets = [  # (cum prob, lo hours, hi hours)
        (0.40, 0, 4), (0.65, 4, 8), (0.85, 8, 24), (0.95, 24, 72), (0.99, 72, 200),
    ]
    prev = 0.0
    for cum, lo, hi in buckets:
        m = (u >= prev) & (u < cum)
        delay[m] = rng.integers(lo * 3600, hi * 3600, m.sum())
        prev = cum
    m = u >= prev  # last 1%: exactly on a deadline
    delay[m] = np.array([4, 8, 24, 72])[rng.integers(0, 4, m.sum())] * 3600
    replied = recv + delay
    replied_null = rng.random(n) < 0.03

    answered_on_spot = rng.random(n) < 0.35

    contact = np.char.add(np.char.add("cust", np.arange(n).astype(str)), "@example.com").astype(object)
    cu = rng.random(n)
    contact_null = cu < 0.01
    contact[(cu >= 0.01) & (cu < 0.013)] = ""  # empty strings (0.3%)

    priority = np.array(["P1", "P2", "P3", "P4"])[
        np.searchsorted([0.10, 0.35, 0.75, 1.0], rng.random(n), side="right")]
    likelihood = rng.integers(1, 6, n).astype(np.int32)
    impact = rng.integers(1, 6, n).astype(np.int32)

    ts = pa.timestamp("us")
    return pa.table({
        "inquiry_id": pa.array(ids.astype(object), pa.string()),
        "channel": pa.array(channel.astype(object), pa.string()),
        "received_at": pa.array(recv * 1_000_000, ts),
        "replied_at": pa.array(replied * 1_000_000, ts, mask=replied_null),
        "answered_on_spot": pa.array(answered_on_spot, pa.bool_()),
        "customer_contact": pa.array(contact, pa.string(), mask=contact_null),
        "priority": pa.array(priority.astype(object), pa.string()),
        "likelihood": pa.array(likelihood, pa.int32()),
        "impact": pa.array(impact, pa.int32()),
    })


def export_dir(cache: Path, size: str, fmt: str) -> Path:
    """The export folder of one size and file format: ``cache/<size>/<fmt>/``."""
    return cache / size / fmt


def ensure(cache: Path, size: str) -> list[Path]:
    """Write the exports of ``size`` in both formats into ``cache``, unless they are there.

    A file is written under a temporary name and renamed when complete, so an
    interrupted run never leaves a half-written export that a later run would
    reuse. Returns the folders written (empty when all existed).
    """
    targets = {fmt: export_dir(cache, size, fmt) / f"inquiries.{fmt}" for fmt in FORMATS}
    missing = {fmt: path for fmt, path in targets.items() if not path.exists()}
    if not missing:
        return []
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    table = generate(SIZES[size])
    for fmt, path in missing.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        if fmt == "parquet":
            pq.write_table(table, partial, compression="zstd", row_group_size=122_880)
        else:
            pcsv.write_csv(table, partial)
        partial.replace(path)
    return [path.parent for path in missing.values()]
