#!/usr/bin/python3
"""Writes section 9 of docs/receipt-format.md (the worked examples) from the files in
docs/receipt-examples/, between the marker lines BEGIN and END below.

  page_examples.py ROOT EVIDENCE     (ROOT the repository, EVIDENCE the built `evidence`)

Run it after build/bin/receipt_vectors has rewritten the examples; the test
receipt_corpus_page then checks the page against the files. Everything else on the
page (the rules, Appendix B's verifier) is written by hand: the page is its own source.
"""
import datetime
import json
import os
import subprocess
import sys

BEGIN = "<!-- The examples below are written by tests/receipts/page_examples.py. -->"
END = "<!-- End of the examples. -->"
HEADER_FIELDS = [18, 1, None, 8, 8, 32, 8, 32, 32, 32, 4, 32, 32]  # None: the chain id
VOTE_FIELDS = [17, 1, None, 1, 8, 4, 32, 8]


class Example:
    def __init__(self, root, name):
        self.name = name
        self.directory = os.path.join(root, "docs/receipt-examples", name)
        self.steps = json.loads(self.read("steps.json"))
        self.receipt = json.loads(self.read("receipt.json"))
        self.genesis = json.loads(self.read("genesis.json"))
        self.document = self.read("document.txt")

    def read(self, name):
        with open(os.path.join(self.directory, name), encoding="utf-8") as f:
            return f.read()

    def pretty(self, name):
        return json.dumps(json.loads(self.read(name)), indent=2, ensure_ascii=False)


def utc(ms):
    moment = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def fields(hex_text, sizes, chain_length):
    data, at, out = bytes.fromhex(hex_text), 0, []
    for size in sizes:
        size = chain_length if size is None else size
        out.append(data[at:at + size].hex())
        at += size
    assert at == len(data)
    return out


def block(lines, indent="   "):
    return f"{indent}```\n" + "".join(f"{indent}{line}\n" for line in lines) + f"{indent}```"


def record_steps(e, H):
    record, steps = e.receipt["record"], e.steps
    agency = next(a for a in e.genesis["agencies"] if a["id"] == record["agency"])
    algorithm = record["digest"].split(":")[0]
    out = [f"1. `record.chain_id` and `block.chain_id` are `{e.genesis['chain_id']}`, "
           "the genesis chain id.",
           f"2. The document's {algorithm} digest is the hex in `record.digest`.",
           f"3. The signing bytes ({len(steps['signing_bytes'].encode())} bytes: 19 of the "
           "domain, then the JCS of the record without `sig`):\n"
           + block(steps["signing_bytes"].split("\n")) + "\n"
           f"   The record id is their {H}: `{steps['record_id']}`. Genesis registers for the "
           f"agency `{record['agency']}` the key\n"
           + block(agency["keys"][0].rstrip("\n").split("\n")) + "\n"
           f"   whose key id (the SHA-256 of its DER) is `{record['sig']['key']}` = `sig.key`, "
           f"an `{record['sig']['alg']}` key as `sig.alg` says."]
    if "batch" in record["sig"]:
        batch = record["sig"]["batch"]
        out.append(f"   The record is batched: leaf {batch['index']} of a batch of {batch['size']}. "
                   f"Its batch leaf hash is H(0x00 ‖ record id) = `{steps['batch_leaf_hash']}`; "
                   "the path gives, step by step, "
                   + ", then ".join(f"`{r}`" for r in steps["batch_path_roots"])
                   + " = `sig.batch.root`. `sig.value` is the agency's signature of the batch "
                   "signing bytes\n" + block(steps["batch_signing_bytes"].split("\n")))
    else:
        out.append(f"   `sig.value` is the agency's {record['sig']['alg']} signature of the "
                   "signing bytes.")
    roots = steps["inclusion_roots"]
    walk = (", then ".join(f"`{r}`" for r in roots) if roots
            else "no step (a tree of one leaf: the leaf hash is the root)")
    out.append(f"4. The leaf is the JCS of the whole record ({len(steps['leaf'].encode())} bytes):\n"
               + block([steps["leaf"]]) + "\n"
               f"   Leaf hash = H(0x00 ‖ leaf) = `{steps['leaf_hash']}`. `tree_size` = "
               f"`block.log_size` = {e.receipt['tree_size']}; leaf {e.receipt['leaf_index']} of "
               f"{e.receipt['tree_size']} with the {len(e.receipt['inclusion_proof'])} proof "
               f"hashes gives, step by step, {walk} = `block.log_root`.")
    return out


def block_steps(e, H):
    steps, commit, genesis = e.steps, e.receipt["commit"], e.genesis
    chain_length = len(genesis["chain_id"].encode())
    header = fields(steps["header_bytes"], HEADER_FIELDS, chain_length)
    out = [f"5. The header bytes ({len(steps['header_bytes']) // 2} bytes, a chain id of "
           f"{chain_length} bytes), one field per line in the order of section 4:\n"
           + block(header) + "\n"
           f"   Their {H} is `{steps['block_hash']}` = `commit.block_hash`, and `commit.height` "
           f"= `block.height` = {e.receipt['block']['height']}."]
    votes = []
    for signature, vote in zip(commit["signatures"], steps["precommit_bytes"]):
        f = fields(vote, VOTE_FIELDS, chain_length)
        votes.append(f"   validator {signature['validator']} (time {signature['timestamp_ms']}):\n"
                     + block([" ".join(f[:4]), " ".join(f[4:6]), f[6], f[7]]))
    power = sum(genesis["validators"][s["validator"]]["power"] for s in commit["signatures"])
    total = sum(v["power"] for v in genesis["validators"])
    out.append(f"6. The precommit bytes of each signature ({len(steps['precommit_bytes'][0]) // 2}"
               " bytes each), which its validator's vote key signed:\n" + "\n".join(votes)
               + f"\n   The signers hold power {power} of {total}: 3·{power} > 2·{total}.")
    out.append(f"7. The validator set hash is the {H} of\n"
               + block(steps["validator_set_text"].rstrip("\n").split("\n")) + "\n"
               f"   (each line ending in `\\n`) = `{steps['validator_set_hash']}` = "
               "`validator_set_hash` = `block.validators_hash`.")
    times = sorted((s["timestamp_ms"], genesis["validators"][s["validator"]]["power"])
                   for s in commit["signatures"])
    t = steps["existed_by_ms"]
    out.append(f"\nThe receipt is valid. **The document existed no later than {utc(t)}** (`{t}`):"
               " the precommit times sorted, with their powers, are "
               + ", ".join(f"{time} ({p})" for time, p in times)
               + f"; more than half of {power} is first passed at {t}. The header's own time is "
               f"{e.receipt['block']['time_ms']} ({utc(e.receipt['block']['time_ms'])}), the "
               f"agency's claimed time {e.receipt['record']['time']}.\n")
    return out


def section(e, number, title, intro, show_genesis):
    genesis, record = e.genesis, e.receipt["record"]
    H = "SHA-256" if genesis["hash"] == "sha256" else "SM3"
    powers = ", ".join(str(v["power"]) for v in genesis["validators"])
    out = [f"### 9.{number} {title}\n", intro + "\n",
           f"Files: `docs/receipt-examples/{e.name}/`. Chain `{genesis['chain_id']}`, hash {H}, "
           f"{len(genesis['validators'])} validators of power {powers}, genesis time "
           f"{genesis['genesis_time_ms']} ({utc(genesis['genesis_time_ms'])}).\n"]
    if show_genesis:
        out.append("The genesis (`genesis.json`, pretty-printed):\n\n```json\n"
                   + e.pretty("genesis.json") + "\n```\n")
    algorithm, digest = record["digest"].split(":")
    out.append(f"The document (`document.txt`) is the {len(e.document.encode())} bytes of the "
               f"UTF-8 text `{e.document}`; its {'SM3' if algorithm == 'sm3' else 'SHA-256'} is "
               f"`{digest}`.\n")
    out.append("The receipt (`receipt.json`):\n\n```json\n" + e.pretty("receipt.json") + "\n```\n")
    out.append("Step by step (section 7):\n")
    return "\n".join(out + record_steps(e, H) + block_steps(e, H))


def main():
    root, evidence = sys.argv[1], sys.argv[2]
    examples = [
        ("sha256-ed25519-single", "A record signed alone (SHA-256, Ed25519)",
         "The justice bureau's reconsideration decision, signed on its own, committed in block 2 "
         "with a batch of three other records.", True),
        ("sha256-ed25519-batched", "A record signed in a batch (same chain)",
         "The middle record of a batch of three, signed once for the batch by the market "
         "supervision bureau, in the same block 2 as example 1. The genesis is example 1's (the "
         "same `genesis.json`).", False),
        ("sm3-sm2-single", "An SM3 chain with SM2 keys (国密)",
         "A chain that hashes with SM3 and whose validators and agencies sign with SM2; the "
         "document's digest is SM3 as well.", True),
    ]
    parts = [section(Example(root, name), n, title, intro, genesis)
             for n, (name, title, intro, genesis) in enumerate(examples, 1)]
    first = os.path.join(root, "docs/receipt-examples", examples[0][0])
    run = subprocess.run([evidence, "verify", "document.txt", "--receipt", "receipt.json",
                          "--genesis", "genesis.json"], cwd=first, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    parts[0] += ("\n`evidence verify document.txt --receipt receipt.json --genesis genesis.json` "
                 "prints:\n\n```\n" + run.stdout + "```\n")
    path = os.path.join(root, "docs/receipt-format.md")
    with open(path, encoding="utf-8") as f:
        page = f.read()
    before, rest = page.split(BEGIN + "\n")
    _, after = rest.split(END + "\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(before + BEGIN + "\n\n" + "\n".join(parts) + "\n" + END + "\n" + after)


if __name__ == "__main__":
    main()
