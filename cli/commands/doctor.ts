/**
 * `synesthete doctor`: what was found — Node, ffmpeg, tfjs backend, model, catalogue, index, and
 * the Discord voice stack (`@discordjs/voice`'s own dependency report: Opus library, encryption,
 * DAVE, ffmpeg).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Command } from 'commander';
import { decoderStatus } from '../../core/audio/decoder-status.js';
import { resolveFfmpeg } from '../../core/audio/ffmpeg.js';
import { toSynestheteError } from '../../core/util/errors.js';
import { type CommonOptions, engineFrom, withCommonOptions } from '../common.js';

const require = createRequire(import.meta.url);

/**
 * Installed version of a package. Packages whose `exports` hide `package.json` (pglite,
 * drizzle-orm) are found from their resolved entry point, walking up to their package.json.
 */
function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    // fall through: not exported, or not installed
  }
  try {
    let dir = path.dirname(require.resolve(name));
    for (;;) {
      const file = path.join(dir, 'package.json');
      if (existsSync(file)) {
        const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (json.name === name && json.version) return json.version;
      }
      const parent = path.dirname(dir);
      if (parent === dir) return 'unknown version';
      dir = parent;
    }
  } catch {
    return 'not installed';
  }
}

/**
 * The Discord voice stack as `@discordjs/voice` reports it, indented under a "voice" heading, and
 * what is missing for `/listen`: an Opus library (`@discordjs/opus` or `opusscript`) to decode
 * received audio, and `@snazzah/davey` for Discord's end-to-end encryption (DAVE), which voice
 * channels have required since March 2026.
 *
 * `@discordjs/voice` is imported here, not at the top: with discord-api-types and ws it is ~130
 * modules that every other command (and `--help`) would otherwise load at start-up.
 *
 * @returns the lines to print and the number of problems found (0–2)
 */
export async function voiceReport(): Promise<{ lines: string[]; problems: number }> {
  let report: string;
  try {
    const { generateDependencyReport } = await import('@discordjs/voice');
    report = generateDependencyReport();
  } catch (error) {
    return { lines: [`voice       ERROR: ${toSynestheteError(error).message}`], problems: 1 };
  }
  const missing: string[] = [];
  const found = (name: string) => new RegExp(`- ${name}: (?!not found)`).test(report);
  if (!found('@discordjs/opus') && !found('opusscript')) {
    missing.push('no Opus library (npm i opusscript): /listen cannot decode voice');
  }
  if (!found('@snazzah/davey')) {
    missing.push('no DAVE library (@snazzah/davey): Discord refuses unencrypted voice');
  }
  const body = report
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^-+$/.test(line.trim()))
    .map((line) => `            ${line}`);
  return {
    lines: [
      `voice       @discordjs/voice dependency report (Discord /listen)${missing.length ? `: ${missing.join('; ')}` : ''}`,
      ...body,
    ],
    problems: missing.length,
  };
}

/** Registers the command. */
export function registerDoctor(program: Command): void {
  withCommonOptions(
    program
      .command('doctor')
      .description(
        'print what was found: Node, ffmpeg, tfjs backend, model, catalogue, index and the Discord voice stack',
      ),
  ).action(async (options: CommonOptions) => {
    const lines: string[] = [];
    let problems = 0;
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const nodeOk = major > 22 || (major === 22 && minor >= 12);
    lines.push(`node        ${process.versions.node}${nodeOk ? '' : '  (needs ≥ 22.12)'}`);
    if (!nodeOk) problems++;
    try {
      const ff = await resolveFfmpeg();
      lines.push(`ffmpeg      ${ff.version ?? 'unknown version'} (${ff.path}, from ${ff.source})`);
    } catch (error) {
      problems++;
      lines.push(`ffmpeg      MISSING: ${toSynestheteError(error).message}`);
    }
    // The decoder list: node-av (optional dependency) first, the ffmpeg program where it cannot run.
    try {
      const status = await decoderStatus();
      lines.push(
        status.decoder === 'node-av'
          ? `decoder     node-av ${packageVersion('node-av')} (FFmpeg's libraries on a decode thread)`
          : `decoder     ffmpeg program (fallback: ${status.fallbackReason ?? 'node-av not used'})`,
      );
    } catch (error) {
      problems++;
      lines.push(`decoder     NONE: ${toSynestheteError(error).message}`);
    }
    lines.push(
      `packages    @tensorflow/tfjs-core ${packageVersion('@tensorflow/tfjs-core')}, tfjs-node ${packageVersion('@tensorflow/tfjs-node')}, ` +
        `hnswlib-node ${packageVersion('hnswlib-node')}, pglite ${packageVersion('@electric-sql/pglite')}, drizzle-orm ${packageVersion('drizzle-orm')}`,
    );
    const voice = await voiceReport();
    problems += voice.problems;
    try {
      const engine = await engineFrom(options);
      try {
        const m = engine.model.metadata;
        lines.push(`tfjs        backend ${engine.model.backend}`);
        lines.push(`model       ${m.name} ${m.version} (${engine.model.dir})`);
        lines.push(
          `            ${m.features.sampleRate} Hz, n_fft ${m.features.nFft}, hop length ${m.features.hopLength}, ` +
            `${m.features.nMels} mel bands ${m.features.fMin}–${m.features.fMax} Hz, window ${m.window.frames} frames, embedding ${m.embeddingSize}`,
        );
        const heldOut = (
          m.evaluation as
            | { heldOut?: { precisionAt5?: number; identificationTop1?: number } }
            | undefined
        )?.heldOut;
        if (heldOut) {
          lines.push(
            `            held-out precision@5 ${heldOut.precisionAt5?.toFixed(3)}, voice-note identification ${heldOut.identificationTop1?.toFixed(3)}`,
          );
        }
        const counts = await engine.catalog.countByModelVersion(m.version);
        lines.push(
          `catalogue   ${engine.catalog.location} (${engine.catalog.kind}): ${counts.current + counts.stale} tracks, ${counts.stale} stale`,
        );
        let sidecar = 'none yet (built on first recommend)';
        try {
          const json = JSON.parse(
            await readFile(path.join(engine.indexDir, 'index.json'), 'utf8'),
          ) as Record<string, unknown>;
          const projection = json.projection as { dim?: number } | undefined;
          const search = projection
            ? `track vectors projected to ${projection.dim ?? '?'} dimensions, best ${json.tracksRerankDepth ?? '?'} re-ranked on the full vectors`
            : 'full track vectors';
          sidecar = `${json.trackCount ?? '?'} tracks, ${json.windowCount ?? '?'} windows, model ${json.modelVersion ?? '?'}, built ${json.builtAt ?? '?'}; ${search}, ef ${json.tracksEf ?? '?'}`;
        } catch {
          // no index yet
        }
        lines.push(`index       ${engine.indexDir}: ${sidecar}`);
      } finally {
        await engine.close();
      }
    } catch (error) {
      problems++;
      lines.push(`engine      ERROR: ${toSynestheteError(error).message}`);
    }
    lines.push(...voice.lines);
    process.stdout.write(`${lines.join('\n')}\n`);
    if (problems > 0) process.exitCode = 1;
  });
}
