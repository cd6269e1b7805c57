#!/usr/bin/env bash
# Build the benches' catalogue, data/bench-catalog: the music files (at least 30 s) listed in the
# manifests of the training corpus (data/corpus) and of the evaluation packages (data/corpus-eval),
# ingested with the fast profile. Fetches what is missing first (scripts/fetch-corpus.sh, through
# Debian's packages; docs/scaling.md lists the packages and their licences).
#
#   scripts/build-bench-catalog.sh [CATALOG]
#
# CATALOG defaults to data/bench-catalog. Runs with the built CLI (`npm run build` first).
set -euo pipefail
cd "$(dirname "$0")/.."
catalog=${1:-data/bench-catalog}
eval_packages=(ufoai-music hyperrogue-music warzone2100-music hedgewars-data naev-data
  freeorion-data fillets-ng-data colobot-common-sounds unknown-horizons openclonk-data
  starfighter-data boswars-data widelands-data scorched3d-data xmoto-data neverball-data
  pingus-data openarena-data zaz-data frozen-bubble-data fb-music-high trigger-rally-data
  lugaru-data endless-sky-data)

[ -f dist/cli/main.js ] || { echo "build-bench-catalog: run 'npm run build' first" >&2; exit 1; }
[ -s data/corpus/manifest.csv ] || bash scripts/fetch-corpus.sh data/corpus
[ -s data/corpus-eval/manifest.csv ] || bash scripts/fetch-corpus.sh data/corpus-eval "${eval_packages[@]}"

# The manifests' first column: a quoted path relative to the manifest's folder.
files=()
for corpus in data/corpus data/corpus-eval; do
  while IFS= read -r rel; do files+=("$corpus/$rel"); done < <(
    tail -n +2 "$corpus/manifest.csv" | sed -E 's/^"([^"]*)".*/\1/'
  )
done
echo "build-bench-catalog: ingesting ${#files[@]} music files into $catalog" >&2
# The corpus links each file into its unpacked package, outside the folder: follow the links.
node dist/cli/main.js ingest --profile fast --follow-symlinks --catalog "$catalog" "${files[@]}"
