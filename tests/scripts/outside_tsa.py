#!/usr/bin/env python3
"""An outside RFC 3161 TSA over HTTP (for anchor_test.sh): every POST body is a
TimeStampReq, answered with what `openssl ts -reply` makes of it under CONFIG
(section tsa_config1, which names the TSA's key and certificate).
Usage: outside_tsa.py CONFIG WORK_DIR PORT_FILE
Listens on a free port of 127.0.0.1, writes it to PORT_FILE, serves until killed."""
import http.server
import os
import subprocess
import sys
import tempfile

config, work_dir, port_file = sys.argv[1:4]
REQUEST_BYTES_MAX = 64 * 1024


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if self.headers.get("Content-Type") != "application/timestamp-query" or not (
            0 < length <= REQUEST_BYTES_MAX
        ):
            self.send_error(400)
            return
        query = self.rfile.read(length)
        with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
            query_path = os.path.join(tmp, "query.tsq")
            reply_path = os.path.join(tmp, "reply.tsr")
            with open(query_path, "wb") as f:
                f.write(query)
            made = subprocess.run(
                ["openssl", "ts", "-reply", "-config", config, "-section", "tsa_config1",
                 "-queryfile", query_path, "-out", reply_path],
                capture_output=True,
            )
            if made.returncode != 0:
                sys.stderr.write(made.stderr.decode(errors="replace"))
                self.send_error(500)
                return
            with open(reply_path, "rb") as f:
                body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
