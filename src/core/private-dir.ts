/**
 * Directories racecheck keeps code in (its instrumented-module cache, tsx's compile cache): code found
 * there is run, and files there are deleted when old, so such a directory must be this user's alone —
 * otherwise another local user could plant code in it, or point it at the user's own files.
 */
import { lstatSync, mkdirSync, realpathSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

const STICKY = 0o1000;

/** Owned by this user (or root, for a directory above), and writable by nobody else unless sticky. */
function safeStats(stats: Stats, uid: number, ancestor: boolean): boolean {
  const owner = stats.uid === uid || (ancestor && stats.uid === 0);
  const othersWrite = (stats.mode & 0o022) !== 0;
  // /tmp (1777): others may add names there but cannot rename or remove ours.
  return owner && (!othersWrite || (ancestor && (stats.mode & STICKY) !== 0));
}

/**
 * Whether `path` is a directory only this user can change: a real directory (not a symlink), owned by the
 * user, with no group or other write permission, under directories nobody else can rename it out of. With
 * `create`, a missing directory is made (mode 0700) first. Never throws.
 */
export function isPrivateDirectory(path: string, options: { create?: boolean } = {}): boolean {
  const uid = process.getuid?.();
  try {
    if (options.create) mkdirSync(path, { recursive: true, mode: 0o700 });
    const stats = lstatSync(path);
    if (uid === undefined) return stats.isDirectory();
    if (!stats.isDirectory() || !safeStats(stats, uid, false)) return false;
    for (let dir = realpathSync(dirname(path)); ; dir = dirname(dir)) {
      if (!safeStats(lstatSync(dir), uid, true)) return false;
      if (dirname(dir) === dir) return true;
    }
  } catch {
    return false;
  }
}

/** A file racecheck reads code or a key from: a regular file of this user's that nobody else can write. */
export function isPrivateFile(stats: Stats): boolean {
  const uid = process.getuid?.();
  return stats.isFile() && (uid === undefined || (stats.uid === uid && (stats.mode & 0o022) === 0));
}
