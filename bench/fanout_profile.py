"""Where one sender's CPU goes, per thread: the event loop (pushes: encryption, aiohttp) and the store thread
(claims, payloads, outcomes), on SQLite and on PostgreSQL (issue 19).

    python bench/fanout_profile.py [--subscriptions 3000] [--backends postgresql,sqlite]

One receiver process (tests/service/receiver.py), a throwaway PostgreSQL cluster, and the sender in this process
(`deliver`, as `practica push send` runs it) under cProfile with each thread's CPU clock (time.thread_time), so
time spent waiting (for the database, for the receiver, for the other thread) is not counted. cProfile itself
roughly doubles the CPU measured: compare the threads and backends with each other, not with bench/fanout.py.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import io
import os
import pstats
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from push import _devices, _queue_one_lesson, _receiver_base  # noqa: E402

from tests.pgcluster import Cluster  # noqa: E402

OUT = HERE / "out" / "fanout-profile"
PROFILES: dict[str, cProfile.Profile] = {}


class ProfiledThread(ThreadPoolExecutor):
    """The sender's store thread, profiled from its start to its shutdown."""

    def __init__(self, workers: int, thread_name_prefix: str = "") -> None:
        def start() -> None:
            PROFILES["store"] = cProfile.Profile(time.thread_time)
            PROFILES["store"].enable()

        super().__init__(workers, thread_name_prefix=thread_name_prefix, initializer=start)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if "store" in PROFILES:
            self.submit(PROFILES["store"].disable).result()
        super().shutdown(wait, cancel_futures=cancel_futures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=3000)
    parser.add_argument("--backends", default="postgresql,sqlite")
    args = parser.parse_args()
    import generator.service.push.sender as sending
    from generator.service.config import load_settings
    from generator.service.push.vapid import write_keys
    from generator.service.store.backend import migrate_database, open_store

    vars(sending)["ThreadPoolExecutor"] = ProfiledThread  # the sender makes its store thread with this
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    pem = write_keys(OUT / "vapid")[0]
    receiver = subprocess.Popen([sys.executable, str(REPO / "tests" / "service" / "receiver.py")],
                                stdout=subprocess.PIPE, text=True)
    cluster = Cluster()
    try:
        base = _receiver_base(receiver)
        subs = _devices(base, args.subscriptions)
        for backend in args.backends.split(","):
            db: str | Path = OUT / "profile.sqlite3"
            if backend == "postgresql":
                db = cluster.create("profile")
                migrate_database(db)
            _queue_one_lesson(db, subs)
            settings = load_settings({"PRACTICA_PUSH_DB": str(db), "PRACTICA_PUSH_VAPID_PRIVATE_KEY": str(pem),
                                      "PRACTICA_PUSH_VAPID_SUBJECT": "mailto:bench@example.org",
                                      "PRACTICA_PUSH_ALLOW_HOSTS": base}, env_file=None)
            store = open_store(settings.db)
            loop_profile = cProfile.Profile(time.thread_time)

            async def run(store: Any = store, settings: Any = settings) -> Any:
                async with sending.Sender.from_settings(store, settings) as sender:
                    return await sending.deliver(store, sender, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))

            cpu, wall = time.process_time(), time.monotonic()
            loop_profile.enable()
            report = asyncio.run(run())
            loop_profile.disable()
            cpu, wall = time.process_time() - cpu, time.monotonic() - wall
            store.close()
            print(f"## {backend}: {report}; wall {wall:.2f} s, process CPU {cpu:.2f} s = "
                  f"{1000 * cpu / args.subscriptions:.3f} ms a message; load {os.getloadavg()[0]:.1f}\n")
            for name, profile in (("event loop", loop_profile), ("store thread", PROFILES.pop("store"))):
                text = io.StringIO()
                stats = pstats.Stats(profile, stream=text)
                print(f"### {backend}, {name}: {stats.total_tt:.2f} s of CPU")  # type: ignore[attr-defined]
                stats.sort_stats("cumulative").print_stats(20)
                print("\n".join(text.getvalue().splitlines()[6:]))
    finally:
        cluster.stop()
        receiver.terminate()
        receiver.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
