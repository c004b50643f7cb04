import { lastLine, runTool } from './exec.js';

/**
 * Decodes every stream of a segment to nowhere. A segment passes only if ffmpeg exits 0
 * *and* reports no error: damaged MPEG-TS usually decodes "successfully" while logging
 * errors, and those errors are the corruption we are looking for.
 * Returns null when it plays, else the reason.
 */
export async function decodeProblem(ffmpeg: string, file: string): Promise<string | null> {
  const r = await runTool(ffmpeg, ['-nostdin', '-hide_banner', '-v', 'error', '-i', file, '-map', '0', '-f', 'null', '-']);
  if (r.code !== 0) return `does not decode: ${lastLine(r.stderr) || `ffmpeg exit ${r.code}`}`;
  const err = lastLine(r.stderr);
  return err === '' ? null : `decode errors: ${err}`;
}
