#!/usr/bin/env bash
# Runs the Java SDK's JUnit 5 tests (Debian's junit5 console launcher).
# Usage: sdk/java/run-tests.sh OUT vectors|corpus|node [EVIDENCE_NODE_BIN]
#   OUT: where sdk/java/build.sh put the classes (built by it when missing)
#   vectors: VectorsTest and RetryTest; corpus: CorpusTest (tests/vectors/receipts)
#   and GovernanceTest (the register of receipts v2);
#   node: NodeTest against evidence-node --dev
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
which=$2
jars=/usr/share/java
deps="$jars/bcprov.jar:$jars/jackson-core.jar:$jars/jackson-databind.jar:$jars/jackson-annotations.jar"
if [ ! -d "$out/test-classes/org" ]; then "$here/build.sh" "$out" >/dev/null; fi
classpath="$out/classes:$out/test-classes:$deps"
case "$which" in
  vectors) select=(--select-class org.evidenceledger.sdk.VectorsTest
                   --select-class org.evidenceledger.sdk.RetryTest) ;;
  corpus) select=(--select-class org.evidenceledger.sdk.CorpusTest
                  --select-class org.evidenceledger.sdk.GovernanceTest) ;;
  node) select=(--select-class org.evidenceledger.sdk.NodeTest)
        export EVIDENCE_NODE_BIN=$3 ;;
  *) echo "run-tests.sh: vectors, corpus or node, not '$which'" >&2; exit 2 ;;
esac
export EVIDENCE_VECTORS_DIR=${EVIDENCE_VECTORS_DIR:-$here/../../tests/vectors}
export EVIDENCE_SDK_CLASSPATH=$classpath EVIDENCE_SDK_DIR=$here
cd "$here"
exec java -jar "$jars/junit-platform-console-standalone.jar" --disable-banner --disable-ansi-colors \
  --fail-if-no-tests --details=tree --class-path "$classpath" "${select[@]}"
