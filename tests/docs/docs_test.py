#!/usr/bin/env python3
"""Checks that the integrators' documentation says what the code does.

docs/api.md is the page a new integrator writes a client from (issue 20), so:
- it names no C++ file (an integrator does not read the node's source);
- its "For integrators" path leads to sections on records, batches, retries,
  errors and limits that exist;
- its worked examples are the golden vectors of tests/vectors/records/, byte for
  byte (the C++ ledger and both SDKs check those vectors);
- its table of limits gives the values of common/limits.h and the other bounds
  in the code, so neither can change without the other;
- its table of problem types lists exactly the node's problem types;
- api/openapi.yaml's Record and Batch schemas accept the vectors and refuse what
  the node refuses (a batch with a "header", a record with an extra member).

Usage: docs_test.py SOURCE_DIR   (needs python3-yaml and python3-jsonschema)
"""
import json
import re
import sys
import unittest

import jsonschema
import yaml

SOURCE = sys.argv.pop(1) if len(sys.argv) > 1 else "."


def read(path):
    with open(f"{SOURCE}/{path}", encoding="utf-8") as f:
        return f.read()


API = read("docs/api.md")


def slug(heading):
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def constants(path):
    """name -> integer value of every `kName = <expression>;` in a C++ file."""
    values = {}
    for name, expression in re.findall(r"\b(k[A-Z]\w*)\s*=\s*([^;]+);", read(path)):
        expression = expression.replace("'", "")
        expression = re.sub(r"static_cast<\w+>\(([^)]*)\)", r"\1", expression)
        expression = re.sub(r"\(int64_t\{1\}\s*<<\s*53\)", str(1 << 53), expression)
        for known, value in values.items():
            expression = re.sub(rf"\b{known}\b", str(value), expression)
        if re.fullmatch(r"[0-9*+\-() ]+", expression.strip()):
            values[name] = eval(expression)  # digits and arithmetic only
    return values


def member_default(path, member):
    """The default of `member = <expression>;` in a C++ struct."""
    expression = re.search(rf"\b{member}\s*=\s*([^;]+);", read(path)).group(1).replace("'", "")
    assert re.fullmatch(r"[0-9*+\-() ]+", expression.strip()), expression
    return eval(expression)


class ApiPage(unittest.TestCase):
    def test_names_no_cpp_file(self):
        files = re.findall(r"[\w/.-]+\.(?:h|hh|hpp|cc|cpp)\b", API)
        self.assertEqual(files, [], "docs/api.md is for integrators: no C++ file names")

    def test_the_integrators_path_leads_to_every_section(self):
        path = API.split("## For integrators", 1)[1].split("\n## ", 1)[0]
        anchors = set(re.findall(r"\]\(#([\w-]+)\)", path))
        headings = {slug(h) for h in re.findall(r"^#+ (.+)$", API, re.M)}
        for topic in ["a-record-byte-by-byte", "a-batch-byte-by-byte", "sending-and-retrying",
                      "errors-problem-types", "limits"]:
            self.assertIn(topic, anchors, f"the path names {topic}")
        for anchor in anchors:
            self.assertIn(anchor, headings, f"#{anchor} is a heading of docs/api.md")
        for anchor in re.findall(r"\]\(#([\w-]+)\)", API):
            self.assertIn(anchor, headings, f"#{anchor} is a heading of docs/api.md")

    def test_worked_examples_are_the_golden_vectors(self):
        blocks = re.findall(r"<!-- vector: (\S+) (\S+) (\S+) -->\n```(\w+)\n(.*?)\n```", API, re.S)
        self.assertGreaterEqual(len(blocks), 8)
        seen = set()
        for file, key, field, language, text in blocks:
            document = json.loads(read(f"tests/vectors/records/{file}"))
            if file == "records.json":
                vector = next(v for v in document["vectors"] if v["name"] == key)
            else:
                vector = document["vectors"][int(key)]
            if field == "record_ids":
                expected = "\n".join(r["record_id"] for r in vector["records"])
            else:
                expected = vector[field]
            if language == "json":
                value = json.loads(expected) if isinstance(expected, str) else expected
                self.assertEqual(json.loads(text), value, f"{file} {key} {field}")
            else:
                self.assertEqual(text, expected, f"{file} {key} {field}")
            seen.add((file, field))
        for needed in [("records.json", "signing_bytes"), ("records.json", "record"),
                       ("batches.json", "body"), ("batches.json", "header_signing_bytes")]:
            self.assertIn(needed, seen)
        # The prose gives the signing bytes' length right.
        vector = next(v for v in json.loads(read("tests/vectors/records/records.json"))["vectors"]
                      if v["name"] == "ed25519-sha256")
        length = len(vector["signing_bytes"].encode())
        self.assertIn(f"({length} bytes in all)", API)

    def test_problem_table_lists_every_problem_type(self):
        problems = set(re.findall(r'\{ProblemType::k\w+, "([a-z0-9-]+)", (\d+)',
                                  read("api/http/problem.cc")))
        errors = API.split("## Errors (problem types)", 1)[1]
        documented = set(re.findall(r"^\| `([a-z0-9-]+)` \| (\d+) \|", errors, re.M))
        self.assertEqual(documented, problems)


class Limits(unittest.TestCase):
    def setUp(self):
        table = API.split("## Limits", 1)[1]
        self.rows = {}
        for label, value in re.findall(r"^\| (.+?) \| (.+?) \|$", table, re.M):
            numbers = {int(n) for n in re.findall(r"\d+", value.replace(",", ""))}
            self.rows[label] = numbers
        limits = constants("common/limits.h")
        limits.update(constants("ledger/record.h"))
        limits.update(constants("ledger/json.h"))
        limits.update(constants("node/service.cc"))
        self.limits = limits

    def expect(self, label, *values):
        self.assertIn(label, self.rows, f"the limits table has a row '{label}'")
        for value in values:
            self.assertIn(value, self.rows[label], f"'{label}' gives {value}")

    def test_every_limit_is_in_the_table_with_the_codes_value(self):
        k = self.limits
        self.expect("request body", k["kHttpBodyBytesMax"])
        self.expect("request line and headers", k["kHttpHeaderBytesMax"])
        self.expect("a whole request must arrive within", k["kHttpRequestTimeoutMsDefault"])
        self.expect("open connections", k["kHttpConnectionsMax"])
        self.expect("JSON nesting", k["kJsonDepthMax"])
        self.expect("record, canonical JSON with `sig`", k["kRecordJcsBytesMax"])
        self.expect("`chain_id`", k["kChainIdBytesMax"])
        self.expect("`case_id`", k["kCaseIdBytesMax"])
        self.expect("`stage`", k["kStageBytesMax"])
        self.expect("`agency`", k["kAgencyIdBytesMax"])
        self.expect("`media_type`", k["kMediaTypeBytesMax"])
        self.expect("`title`", k["kTitleBytesMax"])
        self.expect("`links`", k["kLinksMax"])
        self.expect("`sig.value`", k["kRecordSignatureBytesMax"])
        self.expect("`sig.batch.path`", k["kBatchPathLengthMax"])
        self.expect("integers in a record (`size`, `time`)", k["kJsonIntegerMax"])
        self.expect("`time` behind the node's clock",
                    member_default("ledger/chain_params.h", "record_past_window_ms"))
        self.expect("`time` ahead of the node's clock",
                    member_default("ledger/chain_params.h", "record_future_skew_ms"))
        self.expect("records in a batch", k["kBatchRecordsMax"])
        self.expect("per-agency submissions", k["kAgencyRecordsPerSecondDefault"],
                    k["kAgencyBurstRecordsDefault"])
        self.expect("agencies the rate limiter tracks at once", k["kRateLimitedAgenciesMax"])
        self.expect("refused signatures explained", k["kSignatureExplanationsPerSecond"],
                    k["kSignatureExplanationsBurst"])
        self.expect("mempool", member_default("node/record_pool.h", "records_max"),
                    member_default("node/record_pool.h", "bytes_max"))
        self.expect("`wait=commit` timeout (`timeout_ms`)", k["kHttpWaitTimeoutMsMax"],
                    k["kHttpWaitTimeoutMsDefault"])
        self.expect("page size (`limit` of `GET /v1/blocks`)", k["kPageLimitMax"],
                    k["kPageLimitDefault"], k["kPageBytesTarget"])
        self.expect("governance blocks per page (`limit` of `GET /v1/governance/blocks`)",
                    k["kGovernanceBlocksPageMax"], k["kGovernanceBlocksPageDefault"],
                    k["kPageBytesTarget"])
        self.expect("records in one case trail answer", k["kCaseRecordsMax"])
        self.expect("records in one digest look-up answer", k["kDigestRecordsMax"])
        self.expect("bearer token", k["kHttpBearerTokenBytesMax"])


class OpenApi(unittest.TestCase):
    def setUp(self):
        self.spec = yaml.safe_load(read("api/openapi.yaml"))

    def validator(self, schema_name):
        schema = {"$ref": f"#/components/schemas/{schema_name}",
                  "components": self.spec["components"]}
        return jsonschema.Draft7Validator(schema)

    def test_the_vectors_are_valid_records_and_batches(self):
        records = self.validator("Record")
        for vector in json.loads(read("tests/vectors/records/records.json"))["vectors"]:
            records.validate(vector["record"])
        batches = self.validator("Batch")
        for vector in json.loads(read("tests/vectors/records/batches.json"))["vectors"]:
            batches.validate(json.loads(vector["body"]))

    def test_what_the_node_refuses_the_schemas_refuse(self):
        batch = json.loads(json.loads(read("tests/vectors/records/batches.json"))
                           ["vectors"][0]["body"])
        with_header = dict(batch, header={"root": "00" * 32})
        self.assertFalse(self.validator("Batch").is_valid(with_header))
        record = json.loads(read("tests/vectors/records/records.json"))["vectors"][0]["record"]
        self.assertFalse(self.validator("Record").is_valid(dict(record, extra=1)))
        self.assertFalse(self.validator("Record").is_valid(
            dict(record, sig=dict(record["sig"], extra=1))))
        self.assertFalse(self.validator("Record").is_valid(dict(record, time=2 ** 53)))

    def test_every_problem_type_and_the_dry_run_are_described(self):
        problems = re.findall(r'\{ProblemType::k\w+, "([a-z0-9-]+)"', read("api/http/problem.cc"))
        listed = self.spec["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
        self.assertEqual(sorted(listed),
                         sorted(f"https://evidence-ledger.org/problems/{p}" for p in problems))
        for path in ["/v1/records", "/v1/batches"]:
            names = [p["$ref"] for p in self.spec["paths"][path]["post"]["parameters"]]
            self.assertIn("#/components/parameters/DryRun", names)


if __name__ == "__main__":
    unittest.main(verbosity=2)
