#!/usr/bin/env python3
"""A log that lies (for witness_test.sh): serves GET /checkpoint with a checkpoint
of a chain signed by one of its real validator keys (Ed25519, note signature type
0x01), but with a root of its own, and GET /v1/consistency with a proof that does
not hold. Usage: fork_log.py VOTE_KEY.pem KEY_NAME ORIGIN SIZE PORT_FILE
Writes the port it listens on to PORT_FILE; serves until killed."""
import base64
import hashlib
import http.server
import json
import os
import sys

from cryptography.hazmat.primitives import serialization

key_path, key_name, origin, size, port_file = sys.argv[1:6]
with open(key_path, "rb") as f:
    key = serialization.load_pem_private_key(f.read(), password=None)
raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
key_id = hashlib.sha256(key_name.encode() + b"\n" + b"\x01" + raw).digest()[:4]
root = hashlib.sha256(b"a root of a history that never was").digest()
text = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"
signature = base64.b64encode(key_id + key.sign(text.encode())).decode()
note = f"{text}\n\u2014 {key_name} {signature}\n".encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/checkpoint":
            body, kind = note, "text/plain; charset=utf-8"
        elif self.path.startswith("/v1/consistency"):
            body, kind = json.dumps({"proof": ["00" * 32]}).encode(), "application/json"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.send_error(500, "a lying log must never get a cosignature")

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
