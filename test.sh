#!/usr/bin/env bash
# The whole suite, as CI runs it, on a fresh machine with the .NET SDK, Node and apt:
#   1. installs what is missing: the Node peers (npm ci in tests/peers) and the apt packages in
#      tests/peers/apt-packages.txt (Redis, PostgreSQL, SQLite, clang and zlib1g-dev for Native AOT, unzip);
#   2. runs every test project with CI=true, so a test whose peer is missing fails instead of skipping;
#   3. runs the tour, one sample per integration, and the package checks (.ci/package);
#   4. ends with one line for all test projects together: "N passed, N failed, N skipped".
# `dotnet test` alone is the quick inner loop: it skips, with the reason, what needs a missing peer.
set -euo pipefail
cd "$(dirname "$0")"
export CI=true
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

# Real peers: Node packages for the token server, the S3 server and the JWT verifier.
if [ -f tests/peers/package.json ]; then
  command -v npm >/dev/null || { echo "test.sh: the test peers need Node.js and npm (https://nodejs.org), which are not installed" >&2; exit 1; }
  if [ ! -f tests/peers/node_modules/.package-lock.json ] || [ tests/peers/package-lock.json -nt tests/peers/node_modules/.package-lock.json ]; then
    (cd tests/peers && npm ci --no-audit --no-fund)
  fi
fi

# Redis for the fleet cache tests and PostgreSQL for the saved-credential storage tests (both started by
# the tests themselves on a loopback port; PostgreSQL as the postgres user, in a temporary cluster);
# sqlite3 for the store's at-rest sweep; clang and zlib1g-dev for the Native AOT sample and unzip for
# the package checks (.ci/package).
if [ -s tests/peers/apt-packages.txt ]; then
  missing=()
  while read -r pkg; do
    [ -z "$pkg" ] && continue
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done < tests/peers/apt-packages.txt
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "test.sh: installing ${missing[*]} needs root: run 'sudo apt-get install -y ${missing[*]}' once, or run ./test.sh as root" >&2
      exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

# Every test project, no skip.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# The README's first command: the tour must exit 0 (its store file under the temp folder is reused from run to run).
dotnet run --project samples/Atomic.Credentials.Tour

# One sample per integration, each against its local stand-in (S3: the s3rver from tests/peers), and the
# webhook sender: saved credentials of several tenants, each delivery naming its own, checked by a loopback receiver.
for sample in Sfmc Marketo S3 Webhooks; do
  dotnet run --project "samples/Atomic.Credentials.Samples.$sample"
done

# The package: packed into a local feed, checked, and consumed by the Native AOT sample, which must run.
bash .ci/package

# One closing line for all test projects together.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1); if ($i == "Skipped:") s += $(i+1)
       }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
