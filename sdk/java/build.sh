#!/usr/bin/env bash
# Builds the Java SDK with javac (JDK 17) against Debian's jars in /usr/share/java
# (libbcprov-java, libjackson2-databind-java, junit5; scripts/setup.sh installs them):
#   OUT/classes       the SDK (org.evidenceledger.sdk)
#   OUT/test-classes  its JUnit 5 tests and the examples
# and prints the class path to run them with. No network, no Maven Central.
# Usage: sdk/java/build.sh [OUT]   (default: sdk/java/build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
jars=/usr/share/java
deps="$jars/bcprov.jar:$jars/jackson-core.jar:$jars/jackson-databind.jar:$jars/jackson-annotations.jar"
test_deps="$jars/junit-jupiter-api.jar:$jars/apiguardian-api.jar:$jars/opentest4j.jar"
rm -rf "$out/classes" "$out/test-classes"
mkdir -p "$out/classes" "$out/test-classes"
mapfile -t sources < <(find "$here/src/main/java" -name '*.java' | sort)
javac -d "$out/classes" --release 17 -encoding UTF-8 -Xlint:all,-path -Werror -cp "$deps" "${sources[@]}"
mapfile -t test_sources < <(find "$here/src/test/java" "$here/examples" -name '*.java' | sort)
javac -d "$out/test-classes" --release 17 -encoding UTF-8 -Xlint:all,-path -Werror \
  -cp "$out/classes:$deps:$test_deps" "${test_sources[@]}"
echo "$out/classes:$out/test-classes:$deps"
