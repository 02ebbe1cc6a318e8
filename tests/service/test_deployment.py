"""deploy/ started for real: nginx with deploy/nginx/practica.conf.template in front of two instances run with
deploy/practica@.service's command and deploy/practica.env's settings, on one PostgreSQL database.

Only what cannot be the same on a test machine is replaced: the database URL, file paths, the JWKS (a file
with the test signer's key), the local push receiver allowed, and a rate limit of 1 to see whose bucket a
request counts in. Clients connect from other loopback addresses (127.0.0.2, …) than nginx (127.0.0.1), so
the real client's address differs from the proxy's."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import pwd
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from generator.service.config import KNOWN, load_settings, read_env_file
from generator.service.store.postgres import PostgresStore
from tests.pgcluster import Cluster

from .conftest import ReceiverClient, proof, subscription_body, wait_for, write_feed
from .test_identity import Signer

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX = Path("/usr/sbin/nginx")
PASSWORD = "s3cret-deploy-pw"  # trust authentication ignores it; no log may show it
# What the test replaces in deploy/practica.env, and what it adds (the local receiver, a rate limit of one).
REPLACED = {"PRACTICA_PUSH_DB", "PRACTICA_PUSH_VAPID_PRIVATE_KEY", "PRACTICA_PUSH_FEED", "PRACTICA_AUTH_JWKS"}
ADDED = {"PRACTICA_PUSH_ALLOW_HOSTS", "PRACTICA_PUSH_RATE_LIMIT"}


def env_file(path: Path) -> dict[str, str]:
    """A systemd EnvironmentFile in the plain form deploy/ uses: KEY=value lines, # comments."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def unit_option(name: str) -> str:
    found = re.findall(rf"^{name}=(.*)$", (DEPLOY / "practica@.service").read_text(encoding="utf-8"), re.M)
    assert len(found) == 1, f"practica@.service sets {name} {len(found)} times"
    return str(found[0])


def render(template: Path, values: dict[str, str]) -> str:
    """The template with its ${DEPLOY_*} placeholders filled, as `envsubst '${DEPLOY_…}'` fills them."""
    text = template.read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{(DEPLOY_\w+)\}", text.split("\n\n", 1)[1])) == set(values)
    return re.sub(r"\$\{(DEPLOY_\w+)\}", lambda m: values[m[1]], text)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: nginx terminates TLS as in production."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Instance:
    """One `practica push serve`, started with the unit's ExecStart (%i: its port) and the env file's settings."""

    def __init__(self, folder: Path, settings: dict[str, str]) -> None:
        self.port, self.folder = free_port(), folder
        folder.mkdir()
        program, *args = shlex.split(unit_option("ExecStart").replace("%i", str(self.port)))
        assert program.endswith("/practica") and args[:2] == ["push", "serve"], program
        self.log = folder / "serve.log"
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICA_")}
        with self.log.open("w") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "generator.cli", *args], cwd=folder,
                                            env=inherited | settings, stdout=out, stderr=subprocess.STDOUT, text=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def healthy(self) -> bool:
        assert self.process.poll() is None, f"instance on {self.port} exited:\n{self.text()[-3000:]}"
        return httpx.get(f"{self.url}/health", timeout=5).status_code == 200

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@contextmanager
def nginx(folder: Path, values: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Debian's nginx in the foreground, its files in `folder`, with the rendered template as its only site."""
    folder.mkdir()
    site = folder / "practica.conf"
    site.write_text(render(DEPLOY / "nginx" / "practica.conf.template", values), encoding="utf-8")
    # Debian's nginx.conf, cut to what a test needs; as root, workers run as root (pytest's folders are 0700).
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    temp = " ".join(f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                        "scgi"))
    (folder / "nginx.conf").write_text(f"{user} worker_processes 1; events {{ worker_connections 64; }}\n"
                                       f"http {{ access_log {folder}/access.log; {temp} include {site}; }}\n")
    process = subprocess.Popen([str(NGINX), "-p", str(folder), "-e", str(folder / "error.log"), "-c",
                                str(folder / "nginx.conf"), "-g",
                                f"daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def client(source: str, cert: Path, base: str) -> httpx.Client:
    """A client connecting from `source` (a loopback address other than the proxy's)."""
    context = ssl.create_default_context(cafile=str(cert))
    return httpx.Client(base_url=base, timeout=60, transport=httpx.HTTPTransport(local_address=source,
                                                                                 verify=context))


@pytest.fixture
def deployment_db(pg_cluster: Cluster) -> Iterator[str]:
    url = pg_cluster.create("deployment")
    # The guide's first step, before any instance starts: the schema's migrations, once (`practica push migrate`).
    store = PostgresStore(url)
    try:
        store.migrate()
    finally:
        store.close()
    yield url.replace("postgresql://practica@", f"postgresql://practica:{PASSWORD}@")
    pg_cluster.drop("deployment")


def instance_settings(tmp_path: Path, db: str, pem: Path, receiver: ReceiverClient, signer: Signer
                      ) -> dict[str, str]:
    example = env_file(DEPLOY / "practica.env")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [signer.public_jwk()]}), encoding="utf-8")
    replaced = {"PRACTICA_PUSH_DB": db, "PRACTICA_PUSH_VAPID_PRIVATE_KEY": str(pem),
                "PRACTICA_PUSH_FEED": str(write_feed(tmp_path / "feed.json")), "PRACTICA_AUTH_JWKS": str(jwks)}
    added = {"PRACTICA_PUSH_ALLOW_HOSTS": receiver.base, "PRACTICA_PUSH_RATE_LIMIT": "1/1h"}
    assert set(replaced) == REPLACED and set(example) >= REPLACED and set(added) == ADDED and not ADDED & set(example)
    return example | replaced | added


def test_two_instances_behind_nginx_share_one_database_and_fail_over(
        tmp_path: Path, deployment_db: str, vapid_pem: Path, receiver: ReceiverClient) -> None:
    assert NGINX.exists(), "nginx is not installed: `make test` installs Debian's nginx package"
    signer = Signer("deploy-key")
    settings = instance_settings(tmp_path, deployment_db, vapid_pem, receiver, signer)
    assert settings["PRACTICA_TRUSTED_PROXIES"] == "127.0.0.1/32"  # nginx's address, as the example says
    cert, key = certificate(tmp_path)
    with ExitStack() as stack:
        a = Instance(tmp_path / "a", settings)
        stack.callback(a.stop)
        b = Instance(tmp_path / "b", settings)
        stack.callback(b.stop)
        listen = free_port()
        proxy = stack.enter_context(nginx(tmp_path / "nginx", {
            "DEPLOY_LISTEN": f"127.0.0.1:{listen}", "DEPLOY_SERVER_NAME": "127.0.0.1", "DEPLOY_TLS_CERT": str(cert),
            "DEPLOY_TLS_KEY": str(key), "DEPLOY_INSTANCE_A": f"127.0.0.1:{a.port}",
            "DEPLOY_INSTANCE_B": f"127.0.0.1:{b.port}"}))
        wait_for(a.healthy, "instance a")
        wait_for(b.healthy, "instance b")
        site = f"https://127.0.0.1:{listen}"
        clients = {n: stack.enter_context(client(f"127.0.0.{n}", cert, f"{site}/api/v1")) for n in range(2, 10)}
        assert proxy.poll() is None, proxy.communicate()[1]
        health = wait_for(lambda: clients[2].get("/health"), "nginx")
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text

        _shared_database(clients[5], receiver, (a, b))
        _client_address_from_the_proxy_only(clients, receiver, (a, b), cert)
        _scheme_from_the_proxy_only(clients[6], clients[7], receiver, site, a, cert)
        _identity_and_limits_through_the_proxy(clients[2], signer, settings)

        a.process.send_signal(signal.SIGKILL)
        a.process.wait(timeout=30)
        for _ in range(6):  # round robin would give instance a every other request: nginx must take b
            assert clients[3].get("/health").status_code == 200
        assert clients[4].post("/subscriptions", json=subscription_body(receiver.subscribe(1)[0])).status_code == 201

        _sigterm_finishes_the_request_in_progress(clients[8], clients[9], receiver, b)
        gone = clients[2].get("/health")
        assert gone.status_code == 503 and gone.json()["error"]["code"] == "service_unavailable", gone.text
        assert gone.headers["retry-after"] == "10"
    for instance in (a, b):
        assert PASSWORD not in instance.text() and "practica:***@" in instance.text(), instance.text()[-2000:]


def _shared_database(api: httpx.Client, receiver: ReceiverClient, instances: tuple[Instance, Instance]) -> None:
    """A subscription made through the proxy is read back from each instance directly: one database."""
    sub = receiver.subscribe(1)[0]
    made = api.post("/subscriptions", json=subscription_body(sub, topics=["data"]))
    assert made.status_code == 201, made.text
    for instance in instances:
        found = httpx.get(f"{instance.url}/subscriptions/{made.json()['id']}", headers=proof(sub), timeout=30)
        assert found.status_code == 200 and found.json()["preferences"]["topics"] == ["data"], found.text


def _client_address_from_the_proxy_only(clients: dict[int, httpx.Client], receiver: ReceiverClient,
                                        instances: tuple[Instance, Instance], cert: Path) -> None:
    """PRACTICA_PUSH_RATE_LIMIT=1/1h, per client address and per instance: the bucket names the address."""
    subs = receiver.subscribe(9)
    # 127.0.0.2 through the proxy, writing a new address into X-Forwarded-For each time: nginx appends the real
    # one, which the service takes, so 127.0.0.2 gets one subscription per instance (round robin: two).
    codes = [clients[2].post("/subscriptions", json=subscription_body(sub),
                             headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
             for n, sub in enumerate(subs[:6], start=1)]
    assert sorted(codes) == [201, 201, 429, 429, 429, 429], codes
    # Another client behind the same proxy has its own bucket: the proxy's address is not the client.
    assert clients[3].post("/subscriptions", json=subscription_body(subs[6])).status_code == 201
    # Straight to an instance, X-Forwarded-For is not believed: 127.0.0.2's bucket is spent, whatever it says;
    # and 127.0.0.4 cannot spend someone else's by naming them.
    with client("127.0.0.2", cert, instances[0].url) as direct:
        spoofed = direct.post("/subscriptions", json=subscription_body(subs[7]),
                              headers={"X-Forwarded-For": "203.0.113.99"})
        assert spoofed.status_code == 429, spoofed.text
    with client("127.0.0.4", cert, instances[0].url) as direct:
        named = direct.post("/subscriptions", json=subscription_body(subs[8]),
                            headers={"X-Forwarded-For": "127.0.0.2"})
        assert named.status_code == 201, named.text


def _scheme_from_the_proxy_only(proxied: httpx.Client, other: httpx.Client, receiver: ReceiverClient, site: str,
                                a: Instance, cert: Path) -> None:
    """The API's own origin (its docs page) is https through the TLS-terminating proxy (X-Forwarded-Proto); a
    client cannot claim https itself, through the proxy or straight to an instance."""
    subs = receiver.subscribe(3)
    own = proxied.post("/subscriptions", json=subscription_body(subs[0]), headers={"Origin": site})
    assert own.status_code == 201 and own.headers["access-control-allow-origin"] == site, own.text
    http_site = site.replace("https://", "http://")
    claimed = other.post("/subscriptions", json=subscription_body(subs[1]),
                         headers={"Origin": http_site, "X-Forwarded-Proto": "http"})
    assert claimed.status_code == 403 and claimed.json()["error"]["code"] == "origin_not_allowed", claimed.text
    with client("127.0.0.7", cert, a.url) as direct:
        https_origin = f"https://127.0.0.1:{a.port}"
        refused = direct.post("/subscriptions", json=subscription_body(subs[2]),
                              headers={"Origin": https_origin, "X-Forwarded-Proto": "https"})
        assert refused.status_code == 403, refused.text


def _identity_and_limits_through_the_proxy(api: httpx.Client, signer: Signer, settings: dict[str, str]) -> None:
    """The example's identity settings sign a reader in through the proxy; bodies over nginx's limit get the
    API's error shape; outside /api/v1/ there is nothing."""
    token = signer.token(iss=settings["PRACTICA_AUTH_ISSUER"], aud=settings["PRACTICA_AUTH_AUDIENCE"])
    me = api.get("/me", headers={settings["PRACTICA_AUTH_JWT_HEADER"]: token})
    assert me.status_code == 200 and me.json()["email"].lower() == "ada.lovelace@example.org", me.text
    forged = api.get("/me", headers={settings["PRACTICA_AUTH_JWT_HEADER"]: token[:-4] + "AAAA"})
    assert forged.status_code == 401, forged.text
    too_large = api.post("/threads", content=b"x" * 70_000, headers={"Content-Type": "application/json"})
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "payload_too_large", too_large.text
    outside = api.get("/../../etc/passwd")
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "not_found", outside.text


def _sigterm_finishes_the_request_in_progress(api: httpx.Client, tester: httpx.Client, receiver: ReceiverClient,
                                             b: Instance) -> None:
    """SIGTERM while a test push is on its way: the request is answered, then the instance exits cleanly within
    the unit's TimeoutStopSec. (Two clients: subscribing and testing share the rate limit of one.)"""
    sub = receiver.subscribe(1)[0]
    made = api.post("/subscriptions", json=subscription_body(sub))
    assert made.status_code == 201, made.text
    receiver.slow_down(3)
    answers: list[httpx.Response] = []
    sending = threading.Thread(target=lambda: answers.append(tester.post(f"/subscriptions/{made.json()['id']}/test",
                                                                      headers=proof(sub))))
    before = receiver.count()["requests"]
    sending.start()
    try:
        wait_for(lambda: receiver.count()["requests"] > before, "the test push to reach the receiver", seconds=30)
        b.process.send_signal(signal.SIGTERM)
        stop_timeout = float(unit_option("TimeoutStopSec").removesuffix("s"))
        b.process.wait(timeout=stop_timeout)
    finally:
        sending.join(timeout=60)
        receiver.slow_down(0)
    assert answers and answers[0].status_code == 200 and answers[0].json()["status"] == "sent", answers
    assert b.process.returncode == 0, b.text()[-3000:]
    assert "Application shutdown complete" in b.text() and "push service stopped" in b.text(), b.text()[-3000:]


def test_sigterm_stops_serve_cleanly_on_sqlite(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient) -> None:
    """systemd's stop (SIGTERM) is a clean stop: exit 0, the store closed, so SQLite's -wal is merged into the
    file (README, "Backups"). uvicorn re-raises the signal after its own shutdown; serve must still close."""
    db = tmp_path / "push.sqlite3"
    settings = {"PRACTICA_PUSH_DB": str(db), "PRACTICA_PUSH_VAPID_PRIVATE_KEY": str(vapid_pem),
                "PRACTICA_PUSH_VAPID_SUBJECT": "mailto:push-tests@example.org",
                "PRACTICA_PUSH_ALLOW_HOSTS": receiver.base}
    instance = Instance(tmp_path / "serve", settings)
    try:
        wait_for(instance.healthy, "the instance")
        sub = receiver.subscribe(1)[0]
        assert httpx.post(f"{instance.url}/subscriptions", json=subscription_body(sub), timeout=30).status_code == 201
        assert Path(f"{db}-wal").exists()
        instance.process.send_signal(signal.SIGTERM)
        instance.process.wait(timeout=float(unit_option("TimeoutStopSec").removesuffix("s")))
    finally:
        instance.stop()
    assert instance.process.returncode == 0 and "push service stopped" in instance.text(), instance.text()[-3000:]
    assert not Path(f"{db}-wal").exists()


def test_the_guide_names_every_deploy_file_and_placeholder() -> None:
    """docs/DEPLOY.md cannot drift from deploy/: its table lists every file, its envsubst command every
    placeholder of the template (envsubst leaves an unlisted one in place, and nginx then refuses the file)."""
    guide = (DEPLOY.parent / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    files = {str(p.relative_to(DEPLOY.parent)) for p in DEPLOY.rglob("*") if p.is_file()}
    assert files == set(re.findall(r"^\| `(deploy/[^`]+)` \|", guide, re.M))
    template = (DEPLOY / "nginx" / "practica.conf.template").read_text(encoding="utf-8")
    placeholders = set(re.findall(r"\$\{(DEPLOY_\w+)\}", template.split("\n\n", 1)[1]))
    for text in (guide, template):
        listed = re.search(r"envsubst '([^']+)'", text)
        assert listed and set(re.findall(r"\$\{(DEPLOY_\w+)\}", listed[1])) == placeholders


def test_the_example_settings_are_known_and_read_alike_by_systemd_and_the_service() -> None:
    """deploy/practica.env names only settings the service knows (a misspelt one would be ignored with a
    warning), in the plain form systemd's EnvironmentFile and the service's `--env-file` read the same way."""
    example = env_file(DEPLOY / "practica.env")
    assert set(example) <= set(KNOWN), set(example) - set(KNOWN)
    assert read_env_file(DEPLOY / "practica.env") == example
    assert all(re.fullmatch(r"PRACTICA_[A-Z_]+=[^\s\"'$`\\]+", f"{k}={v}") for k, v in example.items()), example
    assert load_settings(example, env_file=None).trusted_proxies == (ipaddress.ip_network("127.0.0.1/32"),)
