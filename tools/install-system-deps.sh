#!/usr/bin/env bash
# Debian packages the tests and benchmarks need and PyPI does not ship: chromium (the e2e
# and compose screenshots) and wrk (the API benchmark's load generator: a C client, so its
# own overhead stays out of the latencies it reports). Docker and Compose v2 come from
# tools/with_docker.py: Debian's docker-compose (1.29) cannot build the images.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v wrk >/dev/null || missing+=(wrk)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
