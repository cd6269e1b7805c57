import { afterEach, describe, expect, it } from 'vitest';
import { clearFfmpegCache, parseFfmpegVersion, resolveFfmpeg } from '../../core/audio/ffmpeg.js';
import { expectCode } from './helpers.js';

const saved = { FFMPEG_PATH: process.env.FFMPEG_PATH, PATH: process.env.PATH };

afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  clearFfmpegCache();
});

describe('resolveFfmpeg', () => {
  it('finds ffmpeg on PATH (ffmpeg-static is not installed here) and caches it', async () => {
    delete process.env.FFMPEG_PATH;
    const info = await resolveFfmpeg();
    expect(info.source).toBe('PATH');
    expect(info.path).toMatch(/ffmpeg$/);
    expect(info.version).toMatch(/^\S+$/);
    expect(await resolveFfmpeg()).toBe(info);
  });

  it('prefers FFMPEG_PATH', async () => {
    delete process.env.FFMPEG_PATH;
    const onPath = await resolveFfmpeg();
    clearFfmpegCache();
    process.env.FFMPEG_PATH = onPath.path;
    const info = await resolveFfmpeg();
    expect(info).toEqual({ path: onPath.path, source: 'FFMPEG_PATH', version: onPath.version });
  });

  it('throws E_FFMPEG_MISSING for a broken FFMPEG_PATH, saying how to fix it', async () => {
    process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
    const error = await expectCode(resolveFfmpeg(), 'E_FFMPEG_MISSING');
    expect(error.message).toContain('FFMPEG_PATH is set to "/nonexistent/ffmpeg"');
    expect(error.message).toContain('apt-get install ffmpeg');
  });

  it('throws E_FFMPEG_MISSING when there is no ffmpeg anywhere, and does not cache the failure', async () => {
    delete process.env.FFMPEG_PATH;
    process.env.PATH = '/nonexistent';
    const error = await expectCode(resolveFfmpeg(), 'E_FFMPEG_MISSING');
    expect(error.message).toMatch(/^ffmpeg was not found\. Install ffmpeg/);
    process.env.PATH = saved.PATH;
    expect((await resolveFfmpeg()).source).toBe('PATH');
  });
});

describe('parseFfmpegVersion', () => {
  it('reads the version token', () => {
    expect(parseFfmpegVersion('ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024')).toBe(
      '5.1.6-0+deb12u1',
    );
    expect(parseFfmpegVersion('ffmpeg version n7.1 Copyright')).toBe('n7.1');
    expect(parseFfmpegVersion('sox: SoX v14.4.2')).toBeNull();
  });
});
