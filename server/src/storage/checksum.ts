/** CRC-32 checksums of stored records: every snapshot and logged update carries one, so a
 * damaged record is found on load instead of being served. */
import { crc32 } from 'node:zlib';

export { crc32 };

/** Whether `data` matches its checksum. A checksum of NULL means the row predates checksums:
 * nothing to verify against. */
export const intact = (data: Buffer | null, crc: number | null): boolean =>
  data === null || crc === null || crc32(data) === crc;
