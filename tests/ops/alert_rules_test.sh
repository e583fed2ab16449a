#!/usr/bin/env bash
# configs/prometheus/alerts.yml: `promtool check rules` (syntax, PromQL, templates) and
# `promtool test rules tests/ops/alerts_test.yml` (each alert fires on the series that
# should fire it, and only then). Usage: alert_rules_test.sh CONFIGS_DIR TESTS_DIR
set -euo pipefail
configs=$1 tests=$2
if ! command -v "${PROMTOOL:-promtool}" >/dev/null; then
  echo "alert_rules_test: promtool is missing: run scripts/setup.sh (Debian package prometheus)" >&2
  exit 1
fi
"${PROMTOOL:-promtool}" check rules "$configs/prometheus/alerts.yml"
cd "$tests"
"${PROMTOOL:-promtool}" test rules alerts_test.yml
