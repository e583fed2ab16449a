#!/usr/bin/env python3
"""Checks configs/ against a live evidence-node (issue 18).

  configs_test.py --node BIN --configs DIR dashboard
      configs/grafana/evidence-ledger.json is a well-formed Grafana dashboard (unique
      panel ids, grid inside 24 columns, every panel with queries, every data source and
      variable it uses defined), and every evidence_* series that a panel query or an
      alert rule (configs/prometheus/alerts.yml) names is one a running node exports on
      GET /metrics.

  configs_test.py --node BIN --evidence BIN --configs DIR check
      configs/genesis-spec.toml builds a genesis (with keys made for it), and
      `evidence-node --config configs/node.toml --check` says OK for it, naming the chain,
      the validator and the genesis file's sha256 that `evidence genesis` printed; then a
      broken node.toml, a wrong key, a missing genesis and a world-readable key are each
      reported, all at once, with exit code 1, and nothing is created.

The node is a --dev chain in a temporary directory on a free port, stopped at the end.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from cluster import free_port, wait_until  # noqa: E402

SERIES = re.compile(r"\b(evidence_[a-z0-9_]+)")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except OSError:
        return None, ""


def exported_series(node_binary):
    """The series names a fresh --dev node exports (after one API request)."""
    work = tempfile.mkdtemp(prefix="configs-test-")
    port = free_port()
    log = open(os.path.join(work, "node.log"), "wb")
    process = subprocess.Popen([node_binary, "--dev", "--data", os.path.join(work, "dev"),
                                "--api", f"127.0.0.1:{port}"],
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until("the dev node ready", lambda: fetch(base + "/readyz")[0] == 200, 60)
        fetch(base + "/v1/status")
        status, text = fetch(base + "/metrics")
        check(status == 200, f"/metrics answered {status}")
        names = set()
        for line in text.splitlines():
            if line and not line.startswith("#"):
                names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
        return names
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def check_dashboard(dashboard):
    check(dashboard.get("title") and dashboard.get("uid"), "the dashboard needs a title and a uid")
    check(isinstance(dashboard.get("schemaVersion"), int), "schemaVersion must be an integer")
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    check(variables.get("datasource", {}).get("type") == "datasource",
          "a 'datasource' variable of type datasource is required")
    check(variables["datasource"].get("query") == "prometheus", "the data source must be Prometheus")
    panels = dashboard["panels"]
    check(len(panels) >= 8, f"only {len(panels)} panels")
    ids = [p["id"] for p in panels]
    check(len(set(ids)) == len(ids), f"panel ids repeat: {ids}")
    queries = []
    for panel in panels:
        where = f"panel {panel.get('id')} ({panel.get('title')!r})"
        check(panel.get("type") in ("timeseries", "stat", "gauge"), f"{where}: type {panel.get('type')}")
        check(panel.get("title") and panel.get("description"), f"{where}: title and description")
        grid = panel["gridPos"]
        check(all(isinstance(grid[k], int) and grid[k] >= 0 for k in "xywh"), f"{where}: gridPos")
        check(grid["x"] + grid["w"] <= 24 and grid["w"] > 0 and grid["h"] > 0, f"{where}: outside the grid")
        check(panel["datasource"]["uid"] == "${datasource}", f"{where}: data source")
        check(panel.get("targets"), f"{where}: no queries")
        ref_ids = [t["refId"] for t in panel["targets"]]
        check(len(set(ref_ids)) == len(ref_ids), f"{where}: refIds repeat")
        for target in panel["targets"]:
            expr = target["expr"]
            check(expr.strip(), f"{where}: empty query")
            check(expr.count("(") == expr.count(")") and expr.count("{") == expr.count("}"),
                  f"{where}: unbalanced query {expr}")
            for variable in re.findall(r"\$(\w+)", expr):
                check(variable in variables, f"{where}: query uses undefined ${variable}")
            queries.append((where, expr))
    return queries


def dashboard_test(args):
    with open(os.path.join(args.configs, "grafana", "evidence-ledger.json"), encoding="utf-8") as f:
        dashboard = json.load(f)
    queries = check_dashboard(dashboard)
    with open(os.path.join(args.configs, "prometheus", "alerts.yml"), encoding="utf-8") as f:
        rules = f.read()
    exported = exported_series(args.node)
    check("evidence_height" in exported, f"the node exports no evidence_height: {sorted(exported)}")
    named = [(where, name) for where, expr in queries for name in SERIES.findall(expr)]
    named += [("alerts.yml", name) for name in SERIES.findall(rules)]
    check(len(named) >= 10, "too few series named")
    missing = sorted({f"{where}: {name}" for where, name in named if name not in exported})
    check(not missing, "series the node does not export:\n  " + "\n  ".join(missing))
    print(f"dashboard: {len(dashboard['panels'])} panels, {len(queries)} queries; "
          f"{len({n for _, n in named})} series named, all exported")


def run(*command, cwd=None):
    return subprocess.run(list(command), capture_output=True, text=True, cwd=cwd, timeout=60)


def make_network(evidence, configs, work):
    """The spec's keys (one private key per public file it names), its genesis."""
    spec_path = os.path.join(work, "genesis-spec.toml")
    shutil.copy(os.path.join(configs, "genesis-spec.toml"), spec_path)
    with open(spec_path, encoding="utf-8") as f:
        spec = f.read()
    os.makedirs(os.path.join(work, "keys"))
    for public in sorted(set(re.findall(r'"(keys/[^"]+\.pub\.pem)"', spec))):
        private = os.path.join(work, public.replace(".pub.pem", ".pem"))
        alg = "p256" if "node" in public else "ed25519"
        made = run(evidence, "keygen", "--alg", alg, "--out", private, "--pub",
                   os.path.join(work, public))
        check(made.returncode == 0, f"keygen {public}: {made.stderr}")
    built = run(evidence, "genesis", "--spec", spec_path, "--out", os.path.join(work, "genesis.json"))
    check(built.returncode == 0, f"genesis from configs/genesis-spec.toml: {built.stderr}")
    return built.stdout


def check_test(args):
    work = tempfile.mkdtemp(prefix="configs-check-")
    try:
        printed = make_network(args.evidence, args.configs, work)
        with open(os.path.join(work, "genesis.json"), "rb") as f:
            file_sha256 = hashlib.sha256(f.read()).hexdigest()
        node_dir = os.path.join(work, "court")
        os.makedirs(node_dir)
        with open(os.path.join(args.configs, "node.toml"), encoding="utf-8") as f:
            config = f.read()
        data_dir = os.path.join(work, "court-data")
        config = config.replace('data_dir = "/var/lib/evidence/main"', f'data_dir = "{data_dir}"')
        config = config.replace('genesis = "genesis.json"', 'genesis = "../genesis.json"')
        config = config.replace('vote_key = "vote_key.pem"', 'vote_key = "../keys/court-vote.pem"')
        config = config.replace('node_key = "node_key.pem"', 'node_key = "../keys/court-node.pem"')
        node_toml = os.path.join(node_dir, "node.toml")
        with open(node_toml, "w", encoding="utf-8") as f:
            f.write(config)
        good = run(args.node, "--config", node_toml, "--check")
        check(good.returncode == 0, f"--check on configs/node.toml: {good.returncode}\n{good.stdout}{good.stderr}")
        check("OK" in good.stdout and "chain sishui-evidence-2027" in good.stdout
              and "validator court (3 of 4)" in good.stdout, good.stdout)
        check(f"genesis file sha256 {file_sha256}" in good.stdout, good.stdout)
        check(file_sha256 in printed, f"evidence genesis printed no file sha256: {printed}")
        check(not os.path.exists(data_dir), "--check created the data directory")

        broken = (config.replace("threads = 2", "threads = 0")
                  .replace('level = "info"', 'level = "loud"')
                  .replace('vote_key = "../keys/court-vote.pem"', 'vote_key = "../keys/notary-office-node.pem"')
                  .replace('genesis = "../genesis.json"', 'genesis = "../missing.json"')
                  .replace("[mempool]", "[mempool]\nrecord_max = 5"))
        with open(node_toml, "w", encoding="utf-8") as f:
            f.write(broken)
        os.chmod(os.path.join(work, "keys", "court-node.pem"), 0o644)
        bad = run(args.node, "--config", node_toml, "--check")
        check(bad.returncode == 1, f"--check on a broken config exited {bad.returncode}")
        expected = ["5 problems", "node.toml: mempool.record_max is not a known setting",
                    "node.toml: api.threads must be an integer 1..64",
                    "node.toml: log.level must be trace, debug, info, warn or error",
                    "genesis: cannot open genesis file", "court-node.pem: a private key readable by every user"]
        for line in expected:
            check(line in bad.stdout, f"--check did not say {line!r}:\n{bad.stdout}")
        os.chmod(os.path.join(work, "keys", "court-node.pem"), 0o600)
        with open(node_toml, "w", encoding="utf-8") as f:
            f.write(config.replace('vote_key = "../keys/court-vote.pem"',
                                   'vote_key = "../keys/notary-office-node.pem"'))
        wrong = run(args.node, "--config", node_toml, "--check")
        check(wrong.returncode == 1 and "is not a validator's in genesis" in wrong.stdout, wrong.stdout)
        started = run(args.node, "--config", node_toml)
        check(started.returncode == 1 and '"event":"start_failed"' in started.stderr
              and "is not a validator's in genesis" in started.stderr, started.stderr)
        print(good.stdout + bad.stdout + wrong.stdout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--node", required=True)
    parser.add_argument("--evidence")
    parser.add_argument("--configs", required=True)
    parser.add_argument("test", choices=["dashboard", "check"])
    args = parser.parse_args()
    {"dashboard": dashboard_test, "check": check_test}[args.test](args)


if __name__ == "__main__":
    main()
