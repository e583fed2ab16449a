"""A local network of real evidence-node processes on 127.0.0.1, for the e2e tests.

Cluster(bin_dir, work_dir) makes keys (vote and node keys per validator, one agency key,
one reader token), a genesis with four validators, and one node.toml per node, all
under work_dir; start/kill/stop/wipe drive the processes; api() talks HTTP. Every
process it starts is stopped by close() (SIGKILL if SIGTERM does not end it in time),
which the tests call in a finally block.

Records are built and signed here exactly as DESIGN.md §3 says (JCS signing bytes,
record id = SHA-256 of them), so the node is checked against an independent encoder.
"""
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request


VALIDATORS = [
    ("justice-bureau", "司法局"),
    ("procuratorate", "检察院"),
    ("court", "法院"),
    ("notary-office", "公证处"),
]
AGENCY = "sishui-market-supervision"
CHAIN_ID = "e2e-chain"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True,
                          check=True).stdout


class Ed25519Key:
    """An Ed25519 key in a PKCS#8 PEM file, used through the openssl command."""

    def __init__(self, path):
        self.path = path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        openssl("genpkey", "-algorithm", "ed25519", "-out", path)
        self.public_pem = openssl("pkey", "-in", path, "-pubout").decode()
        self.key_id = hashlib.sha256(
            openssl("pkey", "-in", path, "-pubout", "-outform", "DER")).hexdigest()
        # Debian's python3-cryptography signs in-process (the chaos test's load); without
        # it (another python3) every signature costs an openssl process.
        try:
            from cryptography.hazmat.primitives.serialization import load_pem_private_key
            with open(path, "rb") as pem:
                self._key = load_pem_private_key(pem.read(), password=None)
        except ImportError:
            self._key = None

    def sign(self, message):
        if self._key is not None:
            return self._key.sign(message)
        # Ed25519 signs in one shot, which needs a file of known size.
        with tempfile.NamedTemporaryFile() as data:
            data.write(message)
            data.flush()
            return openssl("pkeyutl", "-sign", "-rawin", "-inkey", self.path, "-in", data.name)

    def verify(self, message, signature):
        """True when `signature` is this key's Ed25519 signature of `message`."""
        if self._key is not None:
            from cryptography.exceptions import InvalidSignature
            try:
                self._key.public_key().verify(signature, message)
                return True
            except InvalidSignature:
                return False
        with tempfile.TemporaryDirectory() as work:
            paths = {name: os.path.join(work, name) for name in ("data", "sig", "pub.pem")}
            for name, content in (("data", message), ("sig", signature),
                                  ("pub.pem", self.public_pem.encode())):
                with open(paths[name], "wb") as f:
                    f.write(content)
            done = subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-pubin",
                                   "-inkey", paths["pub.pem"], "-in", paths["data"],
                                   "-sigfile", paths["sig"]], capture_output=True)
            return done.returncode == 0

    def self_signed_certificate(self, path, name):
        openssl("req", "-x509", "-new", "-key", self.path, "-subj", f"/CN={name}", "-days", "2",
                "-out", path)


def jcs(value):
    """RFC 8785 for the JSON this test produces (ASCII keys, integers, plain strings)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class Deadline(Exception):
    pass


def wait_until(what, predicate, timeout_s, interval_s=0.1):
    """Polls `predicate` (a real process is being watched: there is no event to wait on)."""
    end = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < end:
        last = predicate()
        if last:
            return last
        time.sleep(interval_s)
    raise Deadline(f"timed out after {timeout_s}s waiting for {what} (last: {last!r})")


class Cluster:
    def __init__(self, node_binary, work_dir, timeouts_ms=(800, 400), peer_address=None):
        """peer_address(i, j), if given, is the "host:port" node i dials to reach node j
        (written to node i's [p2p] peers); by default every node dials genesis addresses."""
        self.node_binary = node_binary
        self.peer_address = peer_address
        self.dir = work_dir
        self.processes = {}
        self.logs = {}
        n = len(VALIDATORS)
        self.api_ports = [free_port() for _ in range(n)]
        self.p2p_ports = [free_port() for _ in range(n)]
        os.makedirs(self.dir, exist_ok=True)
        for i in range(n):
            os.makedirs(self.node_dir(i), exist_ok=True)
        self.vote_keys = [Ed25519Key(os.path.join(self.node_dir(i), "vote.pem")) for i in range(n)]
        self.node_keys = [Ed25519Key(os.path.join(self.node_dir(i), "node.pem")) for i in range(n)]
        self.agency_key = Ed25519Key(os.path.join(self.dir, "agency.pem"))
        self.reader_token = base64.b16encode(os.urandom(16)).decode().lower()
        self.timeouts_ms = timeouts_ms
        self.extra_config = {}  # i -> TOML text appended to node i's node.toml (write_config)
        self.seq = 0
        self._seq_lock = threading.Lock()
        self._write_files()

    # ------------------------------------------------------------------ files

    def node_dir(self, i):
        return os.path.join(self.dir, f"node{i + 1}")

    def _write_files(self):
        validators = []
        for i, (name, institution) in enumerate(VALIDATORS):
            validators.append({
                "name": name, "institution": institution,
                "vote_key": self.vote_keys[i].public_pem,
                "node_key": self.node_keys[i].public_pem,
                "power": 1, "address": f"127.0.0.1:{self.p2p_ports[i]}",
            })
        genesis = {
            "chain_id": CHAIN_ID,
            "genesis_time_ms": int(time.time() * 1000),
            "hash": "sha256",
            "validators": validators,
            "agencies": [{"id": AGENCY, "name": "泗水县市场监督管理局", "institution": "泗水县",
                          "keys": [self.agency_key.public_pem]}],
            "readers": [{"id": "court-reader", "role": "court",
                         "token_sha256": hashlib.sha256(self.reader_token.encode()).hexdigest()}],
        }
        self.genesis_path = os.path.join(self.dir, "genesis.json")
        with open(self.genesis_path, "w", encoding="utf-8") as out:
            out.write(jcs(genesis) + "\n")
        for i in range(len(VALIDATORS)):
            self._write_config(i)

    def write_config(self, i, extra=""):
        """Rewrites node i's node.toml with `extra` TOML appended (it applies at the next start)."""
        self.extra_config[i] = extra
        self._write_config(i)

    def _write_config(self, i):
        propose_ms, vote_ms = self.timeouts_ms
        peers = ""
        if self.peer_address is not None:
            peers = "peers = { " + ", ".join(
                f'{name} = "{self.peer_address(i, j)}"'
                for j, (name, _) in enumerate(VALIDATORS) if j != i) + " }\n"
        text = f"""# node {i + 1} of the e2e network
[node]
name = "{VALIDATORS[i][0]}"
genesis = "{self.genesis_path}"
data_dir = "{os.path.join(self.node_dir(i), 'data')}"
vote_key = "{self.vote_keys[i].path}"
node_key = "{self.node_keys[i].path}"

[p2p]
listen = "127.0.0.1:{self.p2p_ports[i]}"
{peers}
[api]
listen = "127.0.0.1:{self.api_ports[i]}"

[consensus]
timeout_propose_ms = {propose_ms}
timeout_vote_ms = {vote_ms}
""" + self.extra_config.get(i, "")
        with open(os.path.join(self.node_dir(i), "node.toml"), "w") as out:
            out.write(text)

    # ------------------------------------------------------------------ processes

    def start(self, i, extra_args=()):
        assert i not in self.processes, f"node {i + 1} already runs"
        log = open(os.path.join(self.node_dir(i), "node.log"), "ab")
        self.logs[i] = log
        self.processes[i] = subprocess.Popen(
            [self.node_binary, "--config", os.path.join(self.node_dir(i), "node.toml"),
             *extra_args],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def start_all(self):
        for i in range(len(VALIDATORS)):
            self.start(i)

    def kill(self, i):
        process = self.processes.pop(i)
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.logs.pop(i).close()

    def stop(self, i, timeout_s=20):
        process = self.processes.pop(i)
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            code = "killed after SIGTERM timeout"
        self.logs.pop(i).close()
        return code

    def reap(self, i):
        """Node i's exit code once it has exited by itself (None while it runs)."""
        code = self.processes[i].poll()
        if code is not None:
            self.processes.pop(i)
            self.logs.pop(i).close()
        return code

    def wipe(self, i):
        assert i not in self.processes, "stop the node before wiping it"
        shutil.rmtree(os.path.join(self.node_dir(i), "data"), ignore_errors=True)

    def running(self, i):
        return i in self.processes and self.processes[i].poll() is None

    def close(self):
        for i in list(self.processes):
            try:
                self.stop(i, timeout_s=10)
            except Exception:  # keep stopping the others
                pass

    def log_text(self, i):
        with open(os.path.join(self.node_dir(i), "node.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    # ------------------------------------------------------------------ HTTP

    def api(self, i, method, path, body=None, timeout_s=40, headers=None):
        url = f"http://127.0.0.1:{self.api_ports[i]}{path}"
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text.strip() else None)
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, text
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as error:
            return None, str(error)

    def metric(self, i, name):
        """The value of an unlabelled series in node i's /metrics, or None."""
        url = f"http://127.0.0.1:{self.api_ports[i]}/metrics"
        with urllib.request.urlopen(url, timeout=10) as response:
            for line in response.read().decode().splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0] == name:
                    return float(parts[1])
        return None

    def ready(self, i):
        status, _ = self.api(i, "GET", "/readyz", timeout_s=2)
        return status == 200

    def wait_ready(self, nodes, timeout_s=60):
        for i in nodes:
            wait_until(f"node {i + 1} ready", lambda i=i: self.ready(i), timeout_s)

    def height(self, i):
        status, body = self.api(i, "GET", "/v1/status", timeout_s=2)
        return body.get("height") if status == 200 else None

    def tree_head(self, i):
        status, body = self.api(i, "GET", "/v1/tree-head", timeout_s=5)
        return (body["size"], body["root"], body["height"]) if status == 200 else None

    # ------------------------------------------------------------------ records

    def make_record(self, case_id="(2026)鲁0831行复12号", stage="decision"):
        """Returns (record id, record) of a new signed record."""
        record_id, record, _ = self.make_record_with_document(case_id, stage)
        return record_id, record

    def make_record_with_document(self, case_id="(2026)鲁0831行复12号", stage="decision"):
        """Returns (record id, record, document bytes). Thread-safe."""
        with self._seq_lock:
            self.seq += 1
            seq = self.seq
        document = f"e2e document {seq} {os.urandom(8).hex()}".encode()
        record = {
            "v": 1, "chain_id": CHAIN_ID, "kind": "enforcement_record", "case_id": case_id,
            "stage": stage, "agency": AGENCY,
            "digest": "sha256:" + hashlib.sha256(document).hexdigest(), "size": len(document),
            "media_type": "application/pdf", "title": f"行政处罚决定书 {seq}", "links": [],
            "time": int(time.time() * 1000),
        }
        signing = b"EVIDENCE-RECORD/v1\n" + jcs(record).encode()
        record["sig"] = {"alg": "ed25519", "key": self.agency_key.key_id,
                         "value": base64.b64encode(self.agency_key.sign(signing)).decode()}
        return hashlib.sha256(signing).hexdigest(), record, document
