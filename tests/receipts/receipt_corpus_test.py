#!/usr/bin/python3
"""Checks of the receipt format's vectors (docs/receipt-format.md, tests/vectors/receipts/).

  receipt_corpus_test.py PART --root REPO --evidence BIN --generator BIN

PART is one of:
  generated  the committed docs/receipt-examples/ and tests/vectors/receipts/ are
             byte for byte what `receipt_vectors` writes (no file missing or extra);
  cpp        `evidence verify` gives every corpus case (manifest.json, and the
             receipts-v2 cases of manifest-v2.json) its exit status, check code and
             "existed no later than" time, and a valid v2 receipt its notes and
             warnings;
  appendix   the Python verifier of the page's Appendix B, extracted from the page,
             gives every corpus case and every docs/receipt-examples/ example the
             same answers (run with Debian's /usr/bin/python3);
  page       the page shows the examples as they are: each example's receipt and
             genesis (example 2 shares example 1's), as printed on the page, are the
             files' JSON, and every value of each example's steps.json is on the page.
Exits 0 when every check holds, 1 (listing every disagreement) otherwise.
"""
import argparse
import filecmp
import json
import os
import re
import subprocess
import sys
import tempfile

CODE = re.compile(r"^[^:\n]*: ([a-z]+\.[a-z_]+): ", re.M)
EXISTED_BY = re.compile(r"unix ms (-?\d+)")
NOTE = re.compile(r"^  note: ", re.M)
WARNING = re.compile(r"^  WARNING: ", re.M)
GENERATED_DIRS = ["docs/receipt-examples", "tests/vectors/receipts"]
HAND_WRITTEN = {"tests/vectors/receipts/README.md"}


def files_under(root, relative):
    found = set()
    for directory, _, names in os.walk(os.path.join(root, relative)):
        for name in names:
            found.add(os.path.relpath(os.path.join(directory, name), root))
    return found


def check_generated(args):
    problems = []
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([args.generator, out], check=True, stdout=subprocess.DEVNULL)
        for relative in GENERATED_DIRS:
            made = files_under(out, relative)
            committed = files_under(args.root, relative) - HAND_WRITTEN
            for name in sorted(made - committed):
                problems.append(f"{name}: generated but not committed")
            for name in sorted(committed - made):
                problems.append(f"{name}: committed but no longer generated")
            for name in sorted(made & committed):
                if not filecmp.cmp(os.path.join(out, name), os.path.join(args.root, name),
                                   shallow=False):
                    problems.append(f"{name}: differs from what receipt_vectors writes")
    if problems:
        problems.append("regenerate with: build/bin/receipt_vectors . (from the repository root)")
    return problems


def load_cases(root, manifest_name="manifest.json"):
    corpus = os.path.join(root, "tests/vectors/receipts")
    with open(os.path.join(corpus, manifest_name), encoding="utf-8") as f:
        manifest = json.load(f)
    for case in manifest["cases"]:
        for member in ("receipt", "genesis", "document"):
            case[member] = os.path.join(corpus, case[member])
    return manifest["cases"]


def example_cases(root):
    """The page's examples, with the answers the corpus gives their goldens."""
    answers = {c["name"]: c for c in load_cases(root)}
    examples = os.path.join(root, "docs/receipt-examples")
    for name in sorted(os.listdir(examples)):
        directory = os.path.join(examples, name)
        yield {"name": "docs/receipt-examples/" + name, "exit": 0, "code": None,
               "existed_by_ms": answers[name]["existed_by_ms"],
               "receipt": os.path.join(directory, "receipt.json"),
               "genesis": os.path.join(directory, "genesis.json"),
               "document": os.path.join(directory, "document.txt")}


def answer(command):
    run = subprocess.run(command, capture_output=True)
    stdout = run.stdout.decode("utf-8", "replace")
    stderr = run.stderr.decode("utf-8", "replace")
    code = CODE.search(stderr)
    existed_by = EXISTED_BY.search(stdout) if run.returncode == 0 else None
    return (run.returncode, code.group(1) if code else None,
            int(existed_by.group(1)) if existed_by else None, stderr.strip(),
            len(NOTE.findall(stdout)), len(WARNING.findall(stdout)))


def compare(cases, command_of):
    problems = []
    for case in cases:
        got = answer(command_of(case))
        expected = (case["exit"], case["code"], case["existed_by_ms"])
        if got[:3] != expected:
            problems.append(f"{case['name']}: expected exit {expected[0]} {expected[1]} "
                            f"existed_by {expected[2]}, got exit {got[0]} {got[1]} "
                            f"existed_by {got[2]} ({got[3][:300]})")
        elif "notes" in case and got[4:] != (case["notes"], case["warnings"]):
            problems.append(f"{case['name']}: expected {case['notes']} note(s) and "
                            f"{case['warnings']} warning(s), got {got[4]} and {got[5]}")
    return problems


def check_cpp(args):
    cases = load_cases(args.root) + load_cases(args.root, "manifest-v2.json")
    return compare(cases, lambda c: [
        args.evidence, "verify", c["document"], "--receipt", c["receipt"], "--genesis", c["genesis"]])


def page_text(root):
    with open(os.path.join(root, "docs/receipt-format.md"), encoding="utf-8") as f:
        return f.read()


def appendix_program(page):
    """The one ```python block of Appendix B."""
    appendix = page[page.index("\n## Appendix B"):]
    blocks = re.findall(r"```python\n(.*?)```", appendix, re.S)
    if len(blocks) != 1:
        raise SystemExit(f"Appendix B has {len(blocks)} python blocks, expected 1")
    return blocks[0]


def check_appendix(args):
    with tempfile.TemporaryDirectory() as directory:
        program = os.path.join(directory, "verify_receipt.py")
        with open(program, "w", encoding="utf-8") as f:
            f.write(appendix_program(page_text(args.root)))
        cases = list(load_cases(args.root)) + list(example_cases(args.root))
        return compare(cases, lambda c: [
            "/usr/bin/python3", program, c["document"], c["receipt"], c["genesis"]])


def check_page(args):
    page = page_text(args.root)
    parsed = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", page, re.S):
        try:
            parsed.append(json.loads(block))
        except ValueError:
            pass
    flat = re.sub(r"\s", "", page)  # hex split over lines still matches
    dedented = "\n".join(line.strip() for line in page.splitlines())  # text in list items
    problems = []
    examples = os.path.join(args.root, "docs/receipt-examples")
    for name in sorted(os.listdir(examples)):
        directory = os.path.join(examples, name)
        with open(os.path.join(directory, "receipt.json"), encoding="utf-8") as f:
            if json.load(f) not in parsed:
                problems.append(f"{name}: the page does not show receipt.json as it is")
        with open(os.path.join(directory, "genesis.json"), encoding="utf-8") as f:
            if name != "sha256-ed25519-batched" and json.load(f) not in parsed:
                problems.append(f"{name}: the page does not show genesis.json as it is")
        with open(os.path.join(directory, "steps.json"), encoding="utf-8") as f:
            steps = json.load(f)
        for key, value in steps.items():
            for item in value if isinstance(value, list) else [value]:
                text = str(item)
                if re.fullmatch(r"[0-9a-f]+|-?\d+", text):
                    if text not in flat:
                        problems.append(f"{name}: steps.json {key} {text[:24]}... is not on the page")
                elif "\n".join(line.strip() for line in text.strip().splitlines()) not in dedented:
                    problems.append(f"{name}: steps.json {key} is not on the page verbatim")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["generated", "cpp", "appendix", "page"])
    parser.add_argument("--root", required=True)
    parser.add_argument("--evidence", required=True)
    parser.add_argument("--generator", required=True)
    args = parser.parse_args()
    check = {"generated": check_generated, "cpp": check_cpp, "appendix": check_appendix,
             "page": check_page}[args.part]
    problems = check(args)
    for problem in problems:
        print(problem)
    print(f"{args.part}: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
