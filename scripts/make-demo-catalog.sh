#!/usr/bin/env bash
# Rebuild the bundled demo catalogue (data/demo/tracks) from the fixture clips of
# ../shared/fixtures/music-clips: each 30 s clip re-encoded as mono Ogg Vorbis at 22,050 Hz with
# title, artist, album and genre tags, plus data/demo/labels.csv and the attribution file.
#   scripts/make-demo-catalog.sh [FIXTURE_DIR]
set -euo pipefail
src=${1:-../shared/fixtures/music-clips}
out=data/demo/tracks
mkdir -p "$out"
python3 - "$src" <<'PY'
import csv, subprocess, sys, os
src = sys.argv[1]
artists = {'Frets on Fire song packs': None}
albums = {'metal_rock': 'Frets on Fire song packs', 'orchestral_fantasy': 'Battle for Wesnoth',
          'electronic': 'Nexuiz', 'fantasy_rpg': 'Flare', 'ambient_electronic': 'Endgame: Singularity',
          'game_platformer': 'SuperTux'}
def artist(row):
    lic = row['license']
    if '(' in lic:
        who = lic.split('(', 1)[1].rstrip(')')
        if who.startswith('data/music'): return 'SuperTux project'
        if who.startswith('Flare project'): return 'Flare project'
        return who
    return 'unknown'
rows = list(csv.DictReader(open(os.path.join(src, 'manifest.csv'))))
with open('data/demo/labels.csv', 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(['file', 'label', 'artist', 'album', 'source_package', 'license'])
    for r in rows:
        name = os.path.basename(r['file'])
        title = name.split('__', 1)[1].rsplit('.', 1)[0].replace('_', ' ').replace('-', ' ')
        title = title[:1].upper() + title[1:]
        target = os.path.join('data/demo/tracks', name)
        subprocess.run(['ffmpeg', '-nostdin', '-loglevel', 'error', '-y', '-i', os.path.join(src, r['file']),
                        '-ac', '1', '-ar', '22050', '-c:a', 'libvorbis', '-q:a', '2', '-map_metadata', '-1',
                        '-metadata', f'title={title}', '-metadata', f'artist={artist(r)}',
                        '-metadata', f"album={albums[r['label']]}", '-metadata', f"genre={r['label']}",
                        target], check=True)
        w.writerow([f'tracks/{name}', r['label'], artist(r), albums[r['label']], r['source_package'].split(' ')[0], r['license']])
PY
du -sh "$out"
