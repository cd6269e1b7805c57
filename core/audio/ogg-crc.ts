/**
 * The Ogg page checksum (RFC 3533 §6): CRC-32 with polynomial 0x04C11DB7, most significant bit
 * first, initial value 0, no final XOR, computed over the whole page with its own CRC field
 * (bytes 22–25) taken as zero.
 *
 * @module
 */

let table: Uint32Array | undefined;

/** The 256-entry lookup table of the polynomial, built on first use. */
function crcTable(): Uint32Array {
  if (!table) {
    table = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let r = i << 24;
      for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
      table[i] = r >>> 0;
    }
  }
  return table;
}

/**
 * Tells whether an Ogg page's stored checksum matches its bytes.
 *
 * @param page - exactly one page: 27-byte header, lacing values and body (≥ 27 bytes; a shorter
 *   buffer is reported invalid)
 * @returns true when the CRC-32 stored little-endian at bytes 22–25 matches
 */
export function oggCrcValid(page: Uint8Array): boolean {
  if (page.length < 27) return false;
  const t = crcTable();
  const stored = (page[22]! | (page[23]! << 8) | (page[24]! << 16) | (page[25]! << 24)) >>> 0;
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ t[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc === stored;
}
