/**
 * Opening files racecheck did not make without being led astray: a path read as data is a regular file
 * (never a device, FIFO or socket, which would hang a read or never end it) and is read up to a limit; a
 * file written is never reached through a symlink at its last component. Checks are made on the open
 * descriptor, so a file swapped between a check and the use is never the one used.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Source files larger than this are not read for suppression comments (none is that large). */
export const SOURCE_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Opens `path` for reading if it is a regular file (not following a symlink there unless `followLinks`),
 * or throws: FIFOs are opened non-blocking, so even looking at one never waits.
 */
export function openRegularFile(path: string, options: { followLinks?: boolean } = {}): { fd: number; stats: Stats } {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.followLinks === false ? constants.O_NOFOLLOW : 0);
  const fd = openSync(path, flags);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREGULAR' });
    return { fd, stats };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

export interface ReadOptions {
  /** A file larger than this is not read (undefined is returned). */
  limit: number;
  /** Read only the first this many bytes (then `limit` does not apply). */
  prefix?: number;
  /** Follow a symlink at the last component (default true). */
  followLinks?: boolean;
  /** A further check on the open file (owner, mode): false, and nothing is read. */
  accept?: (stats: Stats) => boolean;
}

/** The bytes of a regular file that passes the checks, read from the descriptor checked; else undefined. */
export function readRegularBytes(path: string, options: ReadOptions): Buffer | undefined {
  let opened: { fd: number; stats: Stats };
  try {
    opened = openRegularFile(path, options.followLinks === false ? { followLinks: false } : {});
  } catch {
    return undefined;
  }
  try {
    const { fd, stats } = opened;
    if (options.accept && !options.accept(stats)) return undefined;
    if (options.prefix === undefined && stats.size > options.limit) return undefined;
    const buffer = Buffer.alloc(options.prefix === undefined ? stats.size : Math.min(options.prefix, stats.size));
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled);
  } catch {
    return undefined;
  } finally {
    closeSync(opened.fd);
  }
}

/** The text of a regular file of at most `limit` bytes, or undefined (missing, not a file, too large). */
export function readRegularFile(path: string, limit = SOURCE_LIMIT_BYTES): string | undefined {
  return readRegularBytes(path, { limit })?.toString('utf8');
}
