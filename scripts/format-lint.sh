#!/usr/bin/env bash
# Checks the tree against .swift-format (the toolchain's `swift format`): any line the formatter would change, or a
# rule it enforces, fails CI. Fix with `scripts/format-lint.sh --fix`. Sources/OTLPProto is generated (see the README's
# OpenTelemetry section) and left as protoc-gen-swift writes it.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=()
for dir in Sources/*/; do
  [ "$dir" = "Sources/OTLPProto/" ] || paths+=("$dir")
done
paths+=(Tests Package.swift)
if [ "${1:-}" = "--fix" ]; then
  swift format format --in-place --recursive --parallel "${paths[@]}"
fi
swift format lint --strict --recursive --parallel "${paths[@]}"
echo "format-lint: clean"
