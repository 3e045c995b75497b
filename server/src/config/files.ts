// Reading the files that variables name (NAME_FILE secrets, ROLES_FILE): regular files only,
// and never more than a cap. Without both, `/dev/zero` grew memory until the OOM killer, a
// FIFO hung start-up silently (opening one waits for a writer), and a 300 MB file became the
// secret. A leaf module: it imports nothing of ours.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/** Largest file a secret may come from (LIVEKIT_API_SECRET_FILE and the others), in bytes. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** Largest ROLES_FILE, in bytes. */
export const MAX_ROLES_FILE_BYTES = 1024 * 1024;

/**
 * A file refused for what it is, not for a system error. The message completes
 * "NAME_FILE names ..." and never holds any of the file's contents.
 */
export class UnusableFileError extends Error {
  override readonly name = 'UnusableFileError';
}

/** What a path is when it is not a regular file, as a problem names it. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'something';
}

function refuseUnlessRegular(stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) throw new UnusableFileError(`${kindOf(stats)}, not a regular file`);
  if (stats.size > maxBytes) throw new UnusableFileError(`a file larger than ${maxBytes} bytes`);
}

// O_NONBLOCK: were the path swapped for a FIFO between the stat and the open, the open answers
// at once rather than wait for a writer (the fstat after it then refuses it). It changes
// nothing for a regular file. O_NOCTTY: a terminal named by mistake never becomes ours.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Reads a regular file of at most `maxBytes` bytes as UTF-8. Symbolic links are followed, as
 * Kubernetes mounts each secret as a link to a regular file. Throws UnusableFileError for
 * anything else (a FIFO, a device, a directory, a larger file), without opening a FIFO or a
 * device, and Node's own error (with its `code`) when the file cannot be read.
 */
export function readFileFromDisk(path: string, maxBytes: number): string {
  refuseUnlessRegular(statSync(path), maxBytes);
  const fd = openSync(path, OPEN_FLAGS);
  try {
    refuseUnlessRegular(fstatSync(fd), maxBytes);
    // One byte more than allowed, read until the end: the size stat gave may be wrong (files
    // in /proc say 0) or the file may grow while it is read.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw new UnusableFileError(`a file larger than ${maxBytes} bytes`);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}
