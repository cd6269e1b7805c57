#!/usr/bin/env bash
# Fetch real recordings that are not music (sound effects, ambiences, UI sounds, spoken prompts)
# from Debian's packages, for fitting and testing the music gate (../shared/DATA.md).
#
#   scripts/fetch-sounds.sh [DEST] [PACKAGE ...]
#
# DEST defaults to data/sounds (git-ignored: the audio is never committed). With no PACKAGE, the
# packages below are fetched. Nothing is installed: each package is downloaded with
# `apt-get download` (or its .deb is taken from data/corpus/debs when fetch-corpus.sh already has
# it) and unpacked with `dpkg -x`; sounds in .pk3 zips are unzipped. Every audio file is listed
# except those below music folders (music/, songs/, jingles/, …) and those whose name says music
# (jingle, fanfare, theme, song, victory, …), from 0.3 to 120 s long. The result is
# DEST/manifest.csv (file,package,duration_s,license_file; paths relative to DEST) plus
# per-package listings in DEST/manifests/ (runs are incremental). Each package's licence and
# attribution is its usr/share/doc/PKG/copyright, kept in DEST/pkgs/PKG and named by license_file.
set -euo pipefail
dest=${1:-data/sounds}
shift || true
packages=("$@")
if [ ${#packages[@]} -eq 0 ]; then
  packages=(
    # desktop and UI sounds
    sound-theme-freedesktop deepin-sound-theme gnome-audio eiskaltdcpp-sounds
    # spoken prompts (real voices)
    asterisk-core-sounds-en-wav
    # games: machines, animals, weather, crowds, household, impacts
    widelands-data wesnoth-1.16-data hedgewars-data colobot-common-sounds tuxpaint-data
    teeworlds-data bzflag-data pingus-data frozen-bubble-data crrcsim-data heroes-sound-effects
    kapman ksirk
    # more games and desktop programs: vehicles, industry, weather, cards, chat, voices
    stormbaancoureur-data aisleriot pidgin-data kolf kbounce granatier minetest-data gnome-nibbles
    gnome-robots quadrapassel chromium-bsu-data lbreakout2-data psi-plus-sounds tecnoballz-data
    holotz-castle-data funnyboat netpanzer-data boswars-data
    # games whose music is in the training corpus (their sound effects only)
    supertuxkart-data freedroidrpg-data supertux-data flare-game megaglest-data warmux-data
    lincity-ng-data extremetuxracer-data
  )
fi
for tool in apt-get dpkg ffprobe unzip; do
  command -v "$tool" >/dev/null || { echo "fetch-sounds: '$tool' is missing (apt-get install ffmpeg unzip)" >&2; exit 1; }
done
corpus_debs=$(cd "$(dirname "$0")/.." && pwd)/data/corpus/debs
mkdir -p "$dest/debs" "$dest/pkgs" "$dest/manifests"
dest=$(cd "$dest" && pwd)

# Folders that hold music, and file names that say a clip is music (stings, jingles, loops of
# instruments): never listed.
music_path='/(music|musics|songs?|soundtracks?|jingles?|titles?|horn-signals|bgm|midi)/'
music_name='(music|song|theme|remix|jingle|fanfare|melod|tune|victory|flute|piano|guitar|drum|bgm|intro|outro|title|credits|levelup|level_up|win_|_win|winlevel|lose_|_lose|gameover|game_over|ringtone|anthem|chime)'
# Pieces of music among the sound effects, found by their spectrograms (a rap over a
# steady beat, an orchestral excerpt): their file names, matched whole.
music_piece='/(([^/]*[^a-z/])?rap([^a-z/][^/]*)?|[^/]*ride.of.the.valkyries[^/]*)$'

for pkg in "${packages[@]}"; do
  if ! ls "$dest/debs/${pkg}"_*.deb >/dev/null 2>&1; then
    if ls "$corpus_debs/${pkg}"_*.deb >/dev/null 2>&1; then
      ln -s "$corpus_debs/${pkg}"_*.deb "$dest/debs/"
    else
      echo "fetch-sounds: downloading $pkg" >&2
      (cd "$dest/debs" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
        { echo "fetch-sounds: $pkg cannot be downloaded, skipped" >&2; continue; }
    fi
  fi
  root="$dest/pkgs/$pkg"
  if [ ! -d "$root" ]; then
    rm -rf "$root.partial"
    mkdir -p "$root.partial" && dpkg -x "$dest"/debs/"${pkg}"_*.deb "$root.partial" && mv "$root.partial" "$root"
  fi
  # Sounds packed in .pk3 zips (Quake-engine games) are taken out into pk3/ beside them.
  if [ ! -d "$root/pk3" ] && [ -n "$(find "$root" -name '*.pk3' -print -quit)" ]; then
    find "$root" -name '*.pk3' -print0 | while IFS= read -r -d '' pk3; do
      unzip -qq -o "$pk3" '*.ogg' '*.wav' -d "$root/pk3/$(basename "$pk3" .pk3)" 2>/dev/null || true
    done
  fi
  license=$(find "$root/usr/share/doc" -name copyright 2>/dev/null | head -n 1 || true)
  listing="$dest/manifests/$pkg.csv"
  if [ ! -s "$listing" ]; then
    find "$root" -type f \( -iname '*.ogg' -o -iname '*.wav' -o -iname '*.flac' -o -iname '*.mp3' \
      -o -iname '*.oga' -o -iname '*.opus' -o -iname '*.wv' \) -print0 | sort -z |
      { grep -zviE "$music_path" || true; } | { grep -zviE "/[^/]*${music_name}[^/]*\$" || true; } |
      { grep -zviE "$music_piece" || true; } |
      xargs -0 -r -P "$(nproc)" -I{} sh -c \
        'd=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$1" 2>/dev/null); echo "$d|$1"' _ {} |
      awk -F'|' -v dest="$dest/" -v pkg="$pkg" -v lic="${license#"$dest"/}" \
        '$1 != "" && $1 != "N/A" && $1 + 0 >= 0.3 && $1 + 0 <= 120 { f = $2; sub("^" dest, "", f); printf "\"%s\",%s,%.2f,\"%s\"\n", f, pkg, $1, lic }' |
      sort > "$listing.tmp"
    mv "$listing.tmp" "$listing"
  fi
  echo "fetch-sounds: $pkg done ($(wc -l < "$listing") sound files)" >&2
done
{ echo "file,package,duration_s,license_file"; for pkg in "${packages[@]}"; do [ -f "$dest/manifests/$pkg.csv" ] && cat "$dest/manifests/$pkg.csv"; done; } > "$dest/manifest.csv.tmp"
mv "$dest/manifest.csv.tmp" "$dest/manifest.csv"
echo "fetch-sounds: $(($(wc -l < "$dest/manifest.csv") - 1)) sound files listed in $dest/manifest.csv" >&2
