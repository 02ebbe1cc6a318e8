"""Fan-out on PostgreSQL (issue 19): one new item to many subscriptions, SQLite with one sender against
PostgreSQL with 1, 2 and 4 `practica push send` processes; then the API under two instances.

    python bench/fanout.py [--subscriptions 20000] [--quick] [--rounds 2] [--receivers 2] [--api-requests 2000]

Everything runs on this machine: a throwaway PostgreSQL cluster (tests/pgcluster.py: fsync off, 127.0.0.1),
RECEIVERS local push receivers in their own processes (tests/service/receiver.py: each checks the VAPID JWT and
decrypts every body, so it costs what a browser's push service would; the subscriptions are split between
them so that no one receiver is the bottleneck: its CPU share is reported), and the senders as deployed
(`python -m generator.cli push send`, real subprocesses, settings in the environment).

- **Fan-out**: the queue (N subscriptions following one topic, one new lesson ingested: N outbox rows) is made
  once per backend; each run starts from a copy of it (the SQLite file copied; `CREATE DATABASE … TEMPLATE`).
  Wall time runs from starting the senders to the last one's exit (each exits when the outbox has nothing left
  for it, so: the last row 'sent'); CPU is user+sys of the sender processes from wait4 (start-up included),
  per message; beside it the receivers' CPU and the PostgreSQL server's (postmaster and the backends it
  reaped). Each round runs every configuration once, the order reversed every other round; the best round of
  each is reported, with every run in the JSON.
- **API**: two `practica push serve` on one PostgreSQL database (the client alternates between them, as a
  round-robin proxy would) and, for comparison, one on SQLite: a fixed count of subscribe requests
  (POST /api/v1/subscriptions) then as many updates (PUT /api/v1/subscriptions/{id}), CONNECTIONS at a time.

Results: bench/out/fanout/results.json and the Markdown tables on standard output.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from measure import free_port  # noqa: E402
from push import _cpu, _devices, _get, _queue_one_lesson  # noqa: E402
from push import _receiver_base as _read_base  # noqa: E402

from tests.pgcluster import Cluster  # noqa: E402

OUT = HERE / "out" / "fanout"
RECEIVER = REPO / "tests" / "service" / "receiver.py"
SUBJECT = "mailto:bench@example.org"
SENDERS = (1, 2, 4)
CONNECTIONS = 8
SEND_TIMEOUT = 900  # seconds one configuration may take before its senders are killed
ENV = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="2,000 subscriptions, one round, 200 API requests")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--receivers", type=int, default=2, help="receiver processes (default %(default)s)")
    parser.add_argument("--api-requests", type=int, default=2000, help="subscribes (and as many updates) per run")
    parser.add_argument("--claim-index", action="store_true",
                        help="an experiment, not the service's schema: add an index on outbox (state, due_at, id) "
                        "and ANALYZE the PostgreSQL queue before the runs (the claim's ORDER BY can then walk it)")
    parser.add_argument("--only", default="send,api", help="send, api, profile (comma-separated; default "
                        "%(default)s); profile: PostgreSQL with 1 and 2 senders once more under cProfile")
    args = parser.parse_args()
    if args.quick:
        args.subscriptions, args.rounds, args.api_requests = 2000, 1, 200
    results = measure(args.subscriptions, args.rounds, args.receivers, args.api_requests, args.only.split(","),
                      args.claim_index)
    print(markdown(results))
    return 0


def measure(subscriptions: int, rounds: int, receivers: int, api_requests: int, only: list[str],
            claim_index: bool = False) -> dict[str, Any]:
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "logs").mkdir(parents=True)
    from generator.service.push.vapid import write_keys

    pem = write_keys(OUT / "vapid")[0]
    results: dict[str, Any] = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"), "cpus": os.cpu_count(),
                               "subscriptions": subscriptions, "receivers": receivers,
                               "load_before": os.getloadavg(), "claim_index": claim_index}
    cluster = Cluster()
    try:
        if "send" in only:
            results["send"] = _fanout(cluster, pem, subscriptions, rounds, receivers, claim_index)
        if "profile" in only:
            results["profile"] = _profiles(cluster, pem, subscriptions, receivers)
        if "api" in only:
            results["api"] = _api(cluster, pem, api_requests)
    finally:
        cluster.stop()
    results["load_after"] = os.getloadavg()
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    return results


# --- fan-out ---------------------------------------------------------------------------------------------------

def _fanout(cluster: Cluster, pem: Path, subscriptions: int, rounds: int, receivers: int,
            claim_index: bool) -> dict[str, Any]:
    with _receiving(receivers, subscriptions) as (procs, bases, subs):
        allow = ",".join(bases)
        sqlite_queue = OUT / "queued.sqlite3"
        _queue_one_lesson(sqlite_queue, subs)
        pg_queue = cluster.create("queued")
        from generator.service.store.backend import migrate_database

        migrate_database(pg_queue)
        _queue_one_lesson(pg_queue, subs)
        if claim_index:
            import psycopg

            with psycopg.connect(pg_queue, autocommit=True) as conn:
                conn.execute("CREATE INDEX bench_claim_order ON outbox (state, due_at, id)")
                conn.execute("ANALYZE")
        configs = [("sqlite", 1), *(("postgresql", n) for n in SENDERS)]
        runs: list[dict[str, Any]] = []
        for r in range(rounds):
            for backend, senders in (configs if r % 2 == 0 else configs[::-1]):
                if backend == "sqlite":
                    db: str = str(OUT / "run.sqlite3")
                    for leftover in (Path(db), Path(f"{db}-wal"), Path(f"{db}-shm")):
                        leftover.unlink(missing_ok=True)
                    shutil.copy(sqlite_queue, db)
                else:
                    name = f"run{r}_{senders}"
                    _template(cluster, "queued", name)
                    db = cluster.url(name)
                run = _send(db, senders, pem, allow, procs, cluster, f"{backend}-{senders}-r{r}")
                run.update(backend=backend, senders=senders, round=r)
                runs.append(run)
                print(f"{backend} x{senders} round {r}: {run['sent']} sent in {run['wall']:.2f} s "
                      f"({run['sent'] / run['wall']:,.0f}/s), sender CPU {run['cpu']:.1f} s, receivers "
                      f"{run['receiver_cpu']}, postgres {run['postgres_cpu']:.1f} s, load {run['load_before']:.2f}",
                      file=sys.stderr, flush=True)
                if backend == "postgresql":
                    cluster.drop(name)
    best: dict[str, dict[str, Any]] = {}
    for run in runs:
        key = f"{run['backend']}-{run['senders']}"
        if key not in best or run["per_s"] > best[key]["per_s"]:
            best[key] = run
    return {"runs": runs, "best": best}


def _template(cluster: Cluster, template: str, name: str) -> None:
    import psycopg

    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _service_env(db: str, pem: Path, allow: str, **extra: str) -> dict[str, str]:
    return {**ENV, "PRACTICA_PUSH_DB": db, "PRACTICA_PUSH_VAPID_PRIVATE_KEY": str(pem),
            "PRACTICA_PUSH_VAPID_SUBJECT": SUBJECT, "PRACTICA_PUSH_ALLOW_HOSTS": allow,
            **{f"PRACTICA_PUSH_{k.upper()}": v for k, v in extra.items()}}


def _send(db: str, senders: int, pem: Path, allow: str, receivers: list[subprocess.Popen[str]], cluster: Cluster,
          label: str) -> dict[str, Any]:
    """`senders` processes of `practica push send` on `db` at once; their wall time, CPU, and the rows sent."""
    env = _service_env(db, pem, allow)
    counts_before = [_get(_base_of(p) + "/_control/count")["accepted"] for p in receivers]
    receiver_before = [_cpu(p.pid) for p in receivers]
    postgres_before = _postgres_cpu(cluster)
    load = os.getloadavg()[0]
    sampler = _Sampler(cluster, db) if db.startswith("postgresql") else None
    logs = [(OUT / "logs" / f"{label}-{i}.log").open("wb") for i in range(senders)]
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "generator.cli", "push", "send"], env=env, cwd=OUT,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True) for log in logs]
    deadline = started + SEND_TIMEOUT
    cpu, ends, codes = [], [], []
    try:
        for p in procs:
            while True:  # bounded: every sender is killed at the deadline
                pid, status, usage = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    os.killpg(p.pid, signal.SIGKILL)
                time.sleep(0.005)
            ends.append(time.monotonic() - started)
            cpu.append(usage.ru_utime + usage.ru_stime)
            codes.append(os.waitstatus_to_exitcode(status))
            p.returncode = codes[-1]
    finally:
        for p in procs:
            if p.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
        for log in logs:
            log.close()
        states = sampler.stop() if sampler else {}
    wall = max(ends)
    time.sleep(0.5)  # the senders' backends end and are reaped
    receiver_cpu = [round(_cpu(p.pid) - b, 2) for p, b in zip(receivers, receiver_before, strict=True)]
    accepted = sum(_get(_base_of(p) + "/_control/count")["accepted"] for p in receivers) - sum(counts_before)
    sent, claimed = _outcome(db)
    shares = sorted(claimed.values(), reverse=True)
    if any(codes):
        raise RuntimeError(f"{label}: a sender failed ({codes}); see {OUT / 'logs'}")
    return {"wall": wall, "ends": ends, "cpu": sum(cpu), "cpus": cpu, "sent": sent, "accepted": accepted,
            "shares": shares, "per_sender": [(c, claimed.get(str(p.pid), 0)) for c, p in zip(cpu, procs, strict=True)],
            "per_s": sent / wall, "cpu_ms_per_msg": 1000 * sum(cpu) / max(sent, 1),
            "receiver_cpu": receiver_cpu, "receiver_busy": max(c / wall for c in receiver_cpu),
            "postgres_cpu": _postgres_cpu(cluster) - postgres_before if db.startswith("postgresql") else 0.0,
            "load_before": load, "backend_states": states}


class _Sampler:
    """What the senders' PostgreSQL backends are doing, sampled every SAMPLE_EVERY s from pg_stat_activity on a
    connection of its own: waiting for a lock (the advisory write lock), running a statement, idle inside a
    transaction (the sender holds the write lock while Python works between statements), or idle (the sender
    is sending, not using the database). Counts of backend-samples, and of samples taken."""

    SAMPLE_EVERY = 0.02

    def __init__(self, cluster: Cluster, db: str) -> None:
        import threading

        self.cluster, self.name = cluster, db.rsplit("/", 1)[1]
        self.counts: dict[str, int] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.cluster.url(), autocommit=True) as conn:
            while not self.done.wait(self.SAMPLE_EVERY):
                self.counts["samples"] = self.counts.get("samples", 0) + 1
                for kind, event, state in conn.execute(
                        "SELECT wait_event_type, wait_event, state FROM pg_stat_activity WHERE datname = %s "
                        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'", (self.name,)):
                    key = (f"lock wait ({event})" if kind == "Lock" else "running SQL" if state == "active"
                           else str(state))
                    self.counts[key] = self.counts.get(key, 0) + 1

    def stop(self) -> dict[str, int]:
        self.done.set()
        self.thread.join(10)
        return dict(sorted(self.counts.items(), key=lambda kv: -kv[1]))


def _outcome(db: str) -> tuple[int, dict[str, int]]:
    """Rows 'sent', and how many each sender process (by pid) claimed."""
    from generator.service.store.backend import open_store

    store = open_store(db if db.startswith("postgresql") else Path(db), migrate=not db.startswith("postgresql"))
    try:
        states = dict(list(store.db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state")))  # type: ignore[attr-defined]
        by = list(store.db.execute("SELECT claimed_by, COUNT(*) FROM outbox GROUP BY claimed_by"))  # type: ignore[attr-defined]
    finally:
        store.close()
    shares: dict[str, int] = {}
    for holder, n in by:
        pid = str(holder).split(":")[1] if holder and ":" in str(holder) else str(holder)
        shares[pid] = shares.get(pid, 0) + n
    return int(states.get("sent", 0)), shares


_bases: dict[int, str] = {}


@contextlib.contextmanager
def _receiving(receivers: int, subscriptions: int) -> Iterator[tuple[list[subprocess.Popen[str]], list[str],
                                                                       list[dict[str, Any]]]]:
    """`receivers` receiver processes holding `subscriptions` devices between them: (processes, their base URLs,
    the devices' subscriptions); the receivers are stopped on the way out."""
    procs = [subprocess.Popen([sys.executable, str(RECEIVER)], stdout=subprocess.PIPE, text=True, env=ENV)
             for _ in range(receivers)]
    try:
        bases = [_receiver_base(p) for p in procs]
        yield procs, bases, [s for i, base in enumerate(bases)
                             for s in _devices(base, subscriptions // receivers + (i < subscriptions % receivers))]
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=20)


def _receiver_base(receiver: subprocess.Popen[str]) -> str:
    _bases[receiver.pid] = _read_base(receiver)
    return _bases[receiver.pid]


def _base_of(receiver: subprocess.Popen[str]) -> str:
    return _bases[receiver.pid]


def _postgres_cpu(cluster: Cluster) -> float:
    """The cluster's CPU so far: the postmaster, its reaped backends, and the live ones."""
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    total = _cpu(postmaster, children=True)
    for child in Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += _cpu(int(child), children=True)
    return total


# --- profile --------------------------------------------------------------------------------------------------

PROFILED = ("_claim", "_record", "_deliver", "push", "transaction", "execute", "pg_advisory_xact_lock", "encrypt",
            "sign", "run_until_complete", "select")


def _profiles(cluster: Cluster, pem: Path, subscriptions: int, receivers: int) -> dict[str, Any]:
    """PostgreSQL with 1 and with 2 senders, each under cProfile (its default wall-clock timer), on a fresh queue:
    where each sender's wall time goes (cumulative seconds of the functions that matter). cProfile sees the main
    thread only: the store's work, in the sender's store thread, shows as the awaits for it; per-thread CPU is
    bench/fanout_profile.py's."""
    with _receiving(receivers, subscriptions) as (_, bases, subs):
        from generator.service.store.backend import migrate_database

        queue = cluster.create("profiled")
        migrate_database(queue)
        _queue_one_lesson(queue, subs)
        out: dict[str, Any] = {}
        for senders in (1, 2):
            name = f"profile{senders}"
            _template(cluster, "profiled", name)
            env = _service_env(cluster.url(name), pem, ",".join(bases))
            files = [OUT / f"profile-pg{senders}-{i}.prof" for i in range(senders)]
            started = time.monotonic()
            running = [subprocess.Popen([sys.executable, "-m", "cProfile", "-o", str(f), "-m", "generator.cli", "push",
                                         "send"], env=env, cwd=OUT, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL) for f in files]
            for sender in running:
                sender.wait(timeout=SEND_TIMEOUT)
            out[f"postgresql-{senders}"] = {"wall": time.monotonic() - started,
                                            "senders": [_top(f) for f in files]}
    return out


def _top(path: Path) -> dict[str, Any]:
    """Cumulative seconds of the functions named in PROFILED (the largest entry per name) and the top 15."""
    import pstats

    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    named: dict[str, float] = {}
    rows = []
    for (file, line, func), (_, calls, tottime, cumtime, _) in stats.items():
        rows.append((cumtime, tottime, calls, f"{Path(file).name}:{line}({func})"))
        if func in PROFILED:
            key = f"{Path(file).name}:{func}"
            named[key] = max(named.get(key, 0.0), cumtime)
    rows.sort(reverse=True)
    return {"named": dict(sorted(named.items(), key=lambda kv: -kv[1])[:25]),
            "top_tottime": [r[3] + f" {r[1]:.2f}s/{r[2]} calls" for r in sorted(rows, key=lambda r: -r[1])[:15]]}


# --- API --------------------------------------------------------------------------------------------------------

def _api(cluster: Cluster, pem: Path, requests: int) -> dict[str, Any]:
    from generator.service.store.backend import migrate_database

    keys = _keys(requests)
    url = cluster.create("api")
    migrate_database(url)
    out = {"requests": requests, "connections": CONNECTIONS,
           "postgresql-2": _api_run(url, 2, pem, keys, cluster),
           "sqlite-1": _api_run(str(OUT / "api.sqlite3"), 1, pem, keys, None)}
    return out


def _keys(count: int) -> list[dict[str, Any]]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    keys = []
    for i in range(count):
        public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        keys.append({"endpoint": f"http://127.0.0.1:9/push/bench-{i}",
                     "keys": {"p256dh": b64(public), "auth": b64(os.urandom(16))}})
    return keys


def _api_run(db: str, instances: int, pem: Path, keys: list[dict[str, Any]],
             cluster: Cluster | None) -> dict[str, Any]:
    env = _service_env(db, pem, "http://127.0.0.1:9", rate_limit="1000000/1m", poll_every="1h")
    ports = [free_port() for _ in range(instances)]
    logs = [(OUT / "logs" / f"api-{Path(db).name if cluster is None else 'pg'}-{p}.log").open("wb") for p in ports]
    servers = [subprocess.Popen([sys.executable, "-m", "generator.cli", "push", "serve", "--port", str(p)], env=env,
                                cwd=OUT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
               for p, log in zip(ports, logs, strict=True)]
    try:
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        for base, server in zip(bases, servers, strict=True):
            _wait_up(base, server)
        cpu_before = [_cpu(s.pid) for s in servers]
        pg_before = _postgres_cpu(cluster) if cluster else 0.0
        result = asyncio.run(_load(bases, keys))
        result["server_cpu"] = [round(_cpu(s.pid) - b, 2) for s, b in zip(servers, cpu_before, strict=True)]
        result["postgres_cpu"] = _postgres_cpu(cluster) - pg_before if cluster else 0.0
        result["instances"] = instances
        return result
    finally:
        for s in servers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(s.pid, signal.SIGTERM)
        for s in servers:
            try:
                s.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(s.pid, signal.SIGKILL)
                s.wait(timeout=10)
        for log in logs:
            log.close()


def _wait_up(base: str, server: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"push serve ended ({server.returncode}); see {OUT / 'logs'}")
        with contextlib.suppress(OSError):
            _get(base + "/api/v1/health")
            return
        time.sleep(0.2)
    raise RuntimeError(f"push serve at {base} did not answer within 60 s")


async def _load(bases: list[str], keys: list[dict[str, Any]]) -> dict[str, Any]:
    """Subscribe every key, then update each one, CONNECTIONS requests at a time, alternating instances."""
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    out: dict[str, Any] = {}
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        ids: list[str | None] = [None] * len(keys)

        async def subscribe(i: int) -> int:
            async with http.post(f"{bases[i % len(bases)]}/api/v1/subscriptions", json=keys[i]) as reply:
                if reply.status in (200, 201):
                    ids[i] = (await reply.json())["id"]
                else:
                    await reply.read()
                return reply.status

        async def update(i: int) -> int:
            if ids[i] is None:
                return 0
            body = {"preferences": {"frequency": "daily" if i % 2 else "weekly"}}
            headers = {"Authorization": f"Bearer {keys[i]['keys']['auth']}"}
            async with http.put(f"{bases[(i + 1) % len(bases)]}/api/v1/subscriptions/{ids[i]}", json=body,
                                headers=headers) as reply:
                await reply.read()
                return reply.status

        for name, call in (("subscribe", subscribe), ("update", update)):
            queue = iter(range(len(keys)))
            statuses: list[int] = []

            async def worker(call: Any = call, queue: Any = queue, statuses: list[int] = statuses) -> None:
                for i in queue:
                    try:
                        statuses.append(await call(i))
                    except (TimeoutError, aiohttp.ClientError):
                        statuses.append(-1)

            started = time.monotonic()
            await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
            wall = time.monotonic() - started
            ok = sum(1 for s in statuses if 200 <= s < 300)
            out[name] = {"wall": wall, "ok": ok, "errors": len(statuses) - ok, "per_s": len(statuses) / wall,
                         "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))}}
    return out


# --- report -----------------------------------------------------------------------------------------------------

def per_message(run: dict[str, Any]) -> dict[str, Any]:
    """CPU milliseconds per message sent: each sender process (by the rows it claimed), all senders, the receivers,
    PostgreSQL, and everything together."""
    sent = max(run["sent"], 1)
    each = [1000 * cpu / max(claimed, 1) for cpu, claimed in run["per_sender"]]
    out = {"each": each, "senders": 1000 * run["cpu"] / sent, "receivers": 1000 * sum(run["receiver_cpu"]) / sent,
           "postgres": 1000 * run["postgres_cpu"] / sent}
    out["all"] = out["senders"] + out["receivers"] + out["postgres"]
    return out


def markdown(results: dict[str, Any]) -> str:
    lines = [f"Run {results['date']} UTC, {results['cpus']} CPUs, load average before "
             f"{' / '.join(f'{x:.2f}' for x in results['load_before'])}, after "
             f"{' / '.join(f'{x:.2f}' for x in results['load_after'])}.", ""]
    send = results.get("send")
    if send:
        best = send["best"]
        experiment = ("(experiment: PostgreSQL queue with an index on outbox (state, due_at, id), analyzed) "
                      if results.get("claim_index") else "")
        lines += [f"Fan-out of one item to {results['subscriptions']:,} subscriptions, {results['receivers']} "
                  f"{experiment}receiver processes (best of the rounds; every run in results.json):", "",
                  "| backend | senders | wall s | messages/s | sender CPU s | CPU ms/message | receivers' busiest "
                  "| PostgreSQL CPU s | claims per sender | load |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
        for key in ("sqlite-1", *(f"postgresql-{n}" for n in SENDERS)):
            r = best[key]
            lines.append(f"| {r['backend']} | {r['senders']} | {r['wall']:.2f} | {r['per_s']:,.0f} | {r['cpu']:.1f} | "
                         f"{r['cpu_ms_per_msg']:.2f} | {100 * r['receiver_busy']:.0f} % of a core | "
                         f"{r['postgres_cpu']:.1f} | {' / '.join(map(str, r['shares']))} | {r['load_before']:.2f} |")
        lines += ["", "CPU per message, by process (ms; the receivers and PostgreSQL run beside the senders on the "
                  "same cores), and the rate those CPUs allow on this machine (cores × 1,000 / all ms per message):",
                  "",
                  "| backend | senders | each sender | senders | receivers | PostgreSQL | all | CPU-bound ceiling/s | "
                  "measured/s |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for key in ("sqlite-1", *(f"postgresql-{n}" for n in SENDERS)):
            r = best[key]
            per = per_message(r)
            lines.append(f"| {r['backend']} | {r['senders']} | {' / '.join(f'{x:.2f}' for x in per['each'])} | "
                         f"{per['senders']:.2f} | {per['receivers']:.2f} | {per['postgres']:.2f} | {per['all']:.2f} | "
                         f"{results['cpus'] * 1000 / per['all']:,.0f} | {r['per_s']:,.0f} |")
        p1, p2, sq = best["postgresql-1"]["per_s"], best["postgresql-2"]["per_s"], best["sqlite-1"]["per_s"]
        lines += ["", "Share of each sender's wall time its PostgreSQL connection spent (pg_stat_activity, sampled "
                  "every 20 ms; idle connections of the pool left out):", ""]
        for n in SENDERS:
            states = dict(best[f"postgresql-{n}"].get("backend_states") or {})
            total = n * max(states.pop("samples", 1), 1)
            lines.append(f"- PostgreSQL×{n}: " + ", ".join(f"{k} {100 * v / total:.0f} %" for k, v in states.items()
                                                          if k != "idle"))
        lines += ["", f"PostgreSQL×2 / PostgreSQL×1 = **{p2 / p1:.2f}×** (budget ≥ 1.6×: "
                  f"{'met' if p2 / p1 >= 1.6 else 'missed'}); PostgreSQL×1 / SQLite×1 = **{p1 / sq:.2f}** "
                  f"(budget within 25 %, ≥ 0.75: {'met' if p1 / sq >= 0.75 else 'missed'}).", "",
                  "All runs (messages/s): " + "; ".join(
                      f"{r['backend']}×{r['senders']} r{r['round']} {r['per_s']:,.0f}" for r in send["runs"])]
    api = results.get("api")
    if api:
        lines += ["", f"API: {api['requests']:,} subscribes then {api['requests']:,} updates, "
                  f"{api['connections']} connections:", "",
                  "| database | instances | subscribe/s | errors | update/s | errors | instances' CPU s | "
                  "PostgreSQL CPU s |", "|---|---:|---:|---:|---:|---:|---|---:|"]
        for key in ("sqlite-1", "postgresql-2"):
            r = api[key]
            lines.append(f"| {key.split('-')[0]} | {r['instances']} | {r['subscribe']['per_s']:,.0f} | "
                         f"{r['subscribe']['errors']} | {r['update']['per_s']:,.0f} | {r['update']['errors']} | "
                         f"{' + '.join(map(str, r['server_cpu']))} | {r['postgres_cpu']:.1f} |")
    for key, prof in results.get("profile", {}).items():
        lines += ["", f"Profile, {key} ({prof['wall']:.1f} s wall under cProfile):"]
        for i, sender in enumerate(prof["senders"]):
            named = list(sender["named"].items())[:14]
            lines.append(f"- sender {i + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in named))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
