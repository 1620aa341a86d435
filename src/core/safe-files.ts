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

/** The text of a regular file of at most `limit` bytes, or undefined (missing, not a file, too large). */
export function readRegularFile(path: string, limit = SOURCE_LIMIT_BYTES): string | undefined {
  let opened: { fd: number; stats: Stats };
  try {
    opened = openRegularFile(path);
  } catch {
    return undefined;
  }
  try {
    if (opened.stats.size > limit) return undefined;
    const buffer = Buffer.alloc(opened.stats.size);
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(opened.fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(opened.fd);
  }
}
