#!/usr/bin/env bash
# Fetch the freely licensed training corpus of ../shared/DATA.md through Debian's packages.
#
#   scripts/fetch-corpus.sh [DEST] [PACKAGE ...]
#
# DEST defaults to data/corpus. With no PACKAGE, the whole training corpus is fetched. Nothing is
# installed: each package is downloaded with `apt-get download` and unpacked with `dpkg -x`.
# Frets on Fire songs are mixed (backing + guitar) into one file each; Nexuiz and UFO: AI tracks are
# taken out of their .pk3 zips. The result is DEST/audio/<package>/… plus DEST/manifest.csv
# (file,package,duration_s,license_file) listing every music file of at least 30 s of the packages
# named (per-package listings are kept in DEST/manifests/, so runs are incremental).
set -euo pipefail
dest=${1:-data/corpus}
shift || true
packages=("$@")
if [ ${#packages[@]} -eq 0 ]; then
  packages=(wesnoth-1.16-music supertux-data supertuxkart-data nexuiz-music singularity-music
    fretsonfire-songs-muldjord fretsonfire-songs-sectoid blobwars-data freedroidrpg-data flare-game
    drascula-music planetblupi-music-ogg pushover-data megaglest-data warmux-data
    extremetuxracer-data lincity-ng-data asc-music)
fi
for tool in apt-get dpkg ffmpeg ffprobe unzip; do
  command -v "$tool" >/dev/null || { echo "fetch-corpus: '$tool' is missing (apt-get install ffmpeg unzip)" >&2; exit 1; }
done
mkdir -p "$dest/debs" "$dest/pkgs" "$dest/audio" "$dest/manifests"
dest=$(cd "$dest" && pwd)
manifest="$dest/manifest.csv"

for pkg in "${packages[@]}"; do
  if ! ls "$dest/debs/${pkg}"_*.deb >/dev/null 2>&1; then
    echo "fetch-corpus: downloading $pkg" >&2
    (cd "$dest/debs" && apt-get download -q "$pkg" >/dev/null)
  fi
  root="$dest/pkgs/$pkg"
  if [ ! -d "$root" ]; then
    mkdir -p "$root.partial" && dpkg -x "$dest"/debs/"${pkg}"_*.deb "$root.partial" && mv "$root.partial" "$root"
  fi
  out="$dest/audio/$pkg"
  mkdir -p "$out"
  license=$(find "$root/usr/share/doc" -name copyright 2>/dev/null | head -n 1 || true)
  case "$pkg" in
    fretsonfire-songs-*)
      find "$root" -name song.ogg -print0 | while IFS= read -r -d '' song; do
        dir=$(dirname "$song"); name=$(basename "$dir" | tr -c 'A-Za-z0-9._\n-' '_')
        target="$out/$name.ogg"
        [ -s "$target" ] && continue
        if [ -f "$dir/guitar.ogg" ]; then
          ffmpeg -nostdin -loglevel error -y -i "$song" -i "$dir/guitar.ogg" \
            -filter_complex amix=inputs=2:duration=longest:normalize=0 -c:a libvorbis -q:a 4 "$target"
        else
          cp "$song" "$target"
        fi
      done ;;
    nexuiz-music|ufoai-music)
      find "$root" -name '*.pk3' -print0 | while IFS= read -r -d '' pk3; do
        unzip -qq -o -j "$pk3" '*.ogg' -d "$out" 2>/dev/null || true
      done ;;
    *)
      # Audio by extension (tracker modules included: ffmpeg reads them through libopenmpt), plus
      # extension-less files in music folders (blobwars); ffprobe below drops what is not audio.
      find "$root" -type f \( -iname '*.ogg' -o -iname '*.mp3' -o -iname '*.flac' -o -iname '*.wav' \
        -o -iname '*.opus' -o -iname '*.mod' -o -iname '*.xm' -o -iname '*.s3m' -o -iname '*.it' \
        -o \( -path '*/music/*' ! -name '*.*' \) \) -print0 |
        while IFS= read -r -d '' f; do
          rel=${f#"$root"/}; name=$(echo "$rel" | tr '/ ' '__')
          [ -e "$out/$name" ] || ln -s "$f" "$out/$name"
        done ;;
  esac
  listing="$dest/manifests/$pkg.csv"
  if [ ! -s "$listing" ]; then
    # Durations with ffprobe (in parallel); keep music of at least 30 s.
    find "$out" \( -type f -o -type l \) -print0 | sort -z |
      xargs -0 -r -P "$(nproc)" -I{} sh -c \
        'd=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$1" 2>/dev/null); echo "$d|$1"' _ {} |
      awk -F'|' -v dest="$dest/" -v pkg="$pkg" -v lic="${license#"$dest"/}" \
        '$1 != "" && $1 != "N/A" && $1 + 0 >= 30 { f = $2; sub("^" dest, "", f); printf "\"%s\",%s,%.1f,\"%s\"\n", f, pkg, $1, lic }' |
      sort > "$listing.tmp"
    mv "$listing.tmp" "$listing"
  fi
  echo "fetch-corpus: $pkg done ($(wc -l < "$listing") music files)" >&2
done
{ echo "file,package,duration_s,license_file"; for pkg in "${packages[@]}"; do cat "$dest/manifests/$pkg.csv"; done; } > "$manifest.tmp"
mv "$manifest.tmp" "$manifest"
echo "fetch-corpus: $(($(wc -l < "$manifest") - 1)) music files listed in $manifest" >&2
