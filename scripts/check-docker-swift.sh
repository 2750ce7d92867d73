#!/usr/bin/env bash
# The Dockerfile's Swift image must be able to resolve the package: its Swift version has to be at least the
# swift-tools-version of Package.swift and of every resolved dependency (issue #18: swift:6.1 could not read
# AsyncHTTPClient 1.37's 6.2 manifest, so `docker compose up --build` failed before compiling anything). No container
# engine runs here, so this reads the versions instead of building the image. Run it after `swift build` (it reads the
# dependencies' manifests in .build/checkouts). Exits non-zero, naming the package, when the image is too old.
set -euo pipefail
cd "$(dirname "$0")/.."

image=$(sed -n 's/^FROM swift:\([0-9][0-9]*\.[0-9][0-9]*\)[^ ]*.*/\1/p' Dockerfile | head -1)
[ -n "$image" ] || { echo "check-docker-swift: no 'FROM swift:X.Y' line in Dockerfile" >&2; exit 2; }
[ -d .build/checkouts ] || { echo "check-docker-swift: .build/checkouts missing; run swift build first" >&2; exit 2; }

# The tools version a manifest declares ("// swift-tools-version:6.2" or "// swift-tools-version: 6.2.0"), as X.Y.
tools() { head -1 "$1" | sed -n 's|^// *swift-tools-version: *\([0-9][0-9]*\.[0-9][0-9]*\).*|\1|p'; }
# True when version $1 is newer than version $2.
newer() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" = "$1" ]; }

failed=0
check() {  # name, manifest
  local version; version=$(tools "$2")
  [ -n "$version" ] || { echo "check-docker-swift: cannot read the tools version of $2" >&2; failed=1; return; }
  if newer "$version" "$image"; then
    echo "check-docker-swift: $1 needs swift-tools-version $version, the Dockerfile builds on swift:$image" >&2
    failed=1
  fi
}
check llmlog Package.swift
for manifest in .build/checkouts/*/Package.swift; do
  # SwiftPM reads Package@swift-X.Y.swift instead when the toolchain is at least X.Y; the image's toolchain picks the
  # newest such file not newer than itself, else Package.swift.
  dir=$(dirname "$manifest"); chosen=$manifest; best=0
  for variant in "$dir"/Package@swift-*.swift; do
    [ -e "$variant" ] || continue
    v=$(basename "$variant" .swift); v=${v#Package@swift-}
    if ! newer "$v" "$image" && newer "$v" "$best"; then chosen=$variant; best=$v; fi
  done
  check "$(basename "$dir")" "$chosen"
done
[ "$failed" = 0 ] && echo "check-docker-swift: swift:$image reads Package.swift and every resolved dependency's manifest"
exit "$failed"
