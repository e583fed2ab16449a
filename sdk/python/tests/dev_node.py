"""`evidence-node --dev` on a port the kernel picks, for the SDK's tests.

    with DevNode(os.environ["EVIDENCE_NODE_BIN"], hash_name="sm3") as node:
        node.url, node.genesis, node.key("p256"), node.reader_token

Started in a fresh temporary directory, ready (GET /readyz is 200) before the
block's body runs, stopped with SIGTERM (then SIGKILL) and its directory removed.
"""
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

START_SECONDS = 60


class DevNode:
    def __init__(self, binary, hash_name="sha256"):
        self.binary = binary
        self.hash_name = hash_name
        self.directory = tempfile.mkdtemp(prefix="evidence-sdk-node-")
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [self.binary, "--dev", "--data", self.directory, "--api", "127.0.0.1:0",
             "--dev-hash", self.hash_name],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + START_SECONDS
        self.url = None
        for line in self.process.stdout:  # what --dev prints, up to the API line
            found = re.match(r"API: (http://127\.0\.0\.1:\d+)", line)
            if found:
                self.url = found.group(1)
                break
        if self.url is None:
            self.__exit__(None, None, None)
            raise RuntimeError("evidence-node --dev printed no API line")
        while not self._ready():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.__exit__(None, None, None)
                raise RuntimeError("evidence-node --dev did not become ready")
            time.sleep(0.05)  # polling /readyz, bounded by the deadline
        self.genesis = os.path.join(self.directory, "genesis.json")
        with open(os.path.join(self.directory, "reader-token")) as f:
            self.reader_token = f.read().strip()
        return self

    def _ready(self):
        try:
            with urllib.request.urlopen(self.url + "/readyz", timeout=5) as answer:
                return answer.status == 200
        except OSError:
            return False

    def key(self, alg="ed25519"):
        name = {"ed25519": "agency.pem", "p256": "agency-p256.pem", "sm2": "agency-sm2.pem"}[alg]
        return os.path.join(self.directory, name)

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.process.stdout.close()
        shutil.rmtree(self.directory, ignore_errors=True)
        return False
