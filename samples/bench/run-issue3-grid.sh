#!/usr/bin/env bash
# The passkey grid reported on issue 3 (default model, segment 512), as it was run on a 2-core CPU
# within one session: 10 trials per cell at 4K, 2 at 16K and 1 at 64K, where a trial takes minutes
# and the CPU was shared with the summary and code benchmarks. window and infini were not run at
# 64K and full not beyond 4K: the session's CPU time went to the method that can recall.
# Each cell is one JSON file in passkey-issue3/; re-running resumes where it stopped.
set -euo pipefail
out="$(dirname "$0")/passkey-issue3"
infini bench passkey --lengths 4k --depths 0.1,0.5 --methods infini+recall,infini,window,full --trials 10 --out "$out"
infini bench passkey --lengths 16k --depths 0.1,0.5 --methods infini+recall,infini,window --trials 2 --out "$out"
infini bench passkey --lengths 64k --depths 0.1,0.5 --methods infini+recall --trials 1 --out "$out"
