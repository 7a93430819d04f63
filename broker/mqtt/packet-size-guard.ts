// MQTT 3.1.1 lets a packet announce up to 256 MB, and aedes's parser buffers a packet until it is complete, so
// a client (authenticated or not) could make the hub hold 256 MB per connection. The guard follows the packet
// framing of what aedes reads (fixed header, remaining length, skip the body) and reports the first packet that
// announces more than the hub would ever accept, from its header, before its bytes pile up.

/** A CONNECT holds a client id, a user name and a SAS token: 64 KiB is far more than any real one. */
export const MAX_CONNECT_BYTES = 64 * 1024;
/**
 * Any later packet: a 256 KiB message with a 64 KiB topic, and room to spare, so that a message a little over
 * the message limit is still acknowledged and dropped as oversize (a withheld PUBACK makes the SDK resend).
 */
export const MAX_PACKET_BYTES = 1024 * 1024;

export class PacketSizeGuard {
  /** Body bytes of the current packet still to skip; -1 while reading a fixed header. */
  private skip = -1;
  /** Remaining length being decoded, and how many of its bytes were read (0 = the type byte is next). */
  private length = 0;
  private lengthBytes = 0;
  private inLength = false;
  private first = true;

  /** Follows `chunk`; returns the announced size of a packet over the limit, else undefined. */
  feed(chunk: Buffer): number | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      if (!this.inLength) {
        i++; // the type and flags byte
        this.inLength = true;
        this.length = 0;
        this.lengthBytes = 0;
        continue;
      }
      const byte = chunk[i++]!;
      this.length += (byte & 0x7f) * 128 ** this.lengthBytes++;
      if ((byte & 0x80) !== 0 && this.lengthBytes < 4) continue;
      // The header is complete (a fifth length byte is aedes's to refuse as malformed).
      const limit = this.first ? MAX_CONNECT_BYTES : MAX_PACKET_BYTES;
      if (this.length > limit) return this.length;
      this.first = false;
      this.inLength = false;
      this.skip = this.length;
    }
    return undefined;
  }

  /** The limit of the packet being read now (for the log line). */
  get limit(): number {
    return this.first ? MAX_CONNECT_BYTES : MAX_PACKET_BYTES;
  }
}
