#!/usr/bin/env python3
"""Notarizes every file of a directory for one case and prints their receipts.

    notarize_dir.py --node URL --key AGENCY.pem --agency ID --case CASE
                    [--kind KIND] [--stage STAGE] [--genesis GENESIS.json] DIR

Signs the files' records as batches (one signature per batch), sends them,
waits until they are committed, checks each receipt offline against the
genesis file when --genesis is given, and prints one JSON line per file:
{"file": ..., "record_id": ..., "receipt": {...}}. Exit 0 when every file is
notarized, 1 otherwise (the reason on stderr).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from evidence_ledger import (Client, Genesis, ProblemError, ReceiptError,  # noqa: E402
                             SigningKey, TransportError, record_for_file, sign_batches,
                             verify_receipt)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--node", required=True, help="the node's API, e.g. http://127.0.0.1:8080")
    parser.add_argument("--key", required=True, help="the agency's private key (PEM)")
    parser.add_argument("--agency", required=True, help="the agency's id in genesis")
    parser.add_argument("--case", required=True, help="the case id, any spelling")
    parser.add_argument("--kind", default="enforcement_record")
    parser.add_argument("--stage", default="investigation")
    parser.add_argument("--genesis", help="genesis.json, to check every receipt offline")
    parser.add_argument("directory")
    options = parser.parse_args()

    files = sorted(os.path.join(options.directory, name) for name in os.listdir(options.directory)
                   if os.path.isfile(os.path.join(options.directory, name)))
    if not files:
        sys.exit(f"notarize_dir: no files in {options.directory}")
    node = Client(options.node, on_retry=lambda reason, pause: print(
        f"notarize_dir: {reason}; sending the same bytes again in {pause:g} s", file=sys.stderr))
    key = SigningKey.load(options.key)
    genesis = Genesis.load(options.genesis) if options.genesis else None
    try:
        chain = node.status()
        unsigned = [record_for_file(path, chain_id=chain["chain_id"], hash_name=chain["hash"],
                                    agency=options.agency, kind=options.kind,
                                    case_id=options.case, stage=options.stage) for path in files]
        position = 0
        for batch in sign_batches(key, unsigned, chain["hash"]):
            answer = node.submit_batch(batch, wait=True, timeout_ms=60_000)
            for record_id, outcome, record in zip(batch.ids, answer["records"], batch.records):
                path = files[position]
                position += 1
                receipt = outcome.get("receipt") or node.receipt(record_id,
                                                                  digest=record["digest"])
                if genesis is not None:
                    with open(path, "rb") as f:
                        verify_receipt(receipt, genesis, document=f.read())
                print(json.dumps({"file": os.path.basename(path), "record_id": record_id,
                                  "receipt": receipt}, ensure_ascii=False), flush=True)
    except (ProblemError, TransportError, ReceiptError, TimeoutError) as error:
        sys.exit(f"notarize_dir: {error}")


if __name__ == "__main__":
    main()
