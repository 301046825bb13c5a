#!/bin/sh
# The full chaos run of issue 8: N messages (default 100,000) from one component to another
# through scripts/chaos-proxy.mjs, which resets connections at random and delays chunks; then
# the same while the server restarts twice. Zero lost, zero duplicated, order preserved.
#
#   scripts/chaos.sh [MESSAGES] [CUT_PROB]      e.g. scripts/chaos.sh 100000 0.1
#
# CI runs the same test with 10,000 messages (test/lib/network/reliable-chaos.test.ts).
set -eu
cd "$(dirname "$0")/.."
CHAOS_MESSAGES="${1:-100000}" CHAOS_CUT_PROB="${2:-0.1}" exec npx vitest run test/lib/network/reliable-chaos.test.ts
