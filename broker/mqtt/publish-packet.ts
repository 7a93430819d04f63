// The PUBLISH packets the hub sends to module inputs, encoded directly: fixed header, remaining length, topic and
// packet id in one small buffer, the payload written after it untouched (no copy; the socket is corked, so both go
// out in one writev). QoS 1 with a packet id, or QoS 0 without one; never retained or duplicate.

/** Bytes of the MQTT variable-length encoding of `n`. */
function lengthBytes(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

/**
 * Fixed header, remaining length, topic and packet id of a PUBLISH whose payload has `payloadLength` bytes: QoS 1
 * with packet id `messageId`, or QoS 0 (no packet id) when `messageId` is undefined.
 */
export function publishHeader(topic: string, messageId: number | undefined, payloadLength: number): Buffer {
  const topicLength = Buffer.byteLength(topic, 'utf8');
  if (topicLength > 65_535) {
    throw new RangeError(`a PUBLISH topic of ${topicLength} bytes is over MQTT's limit of 65535: not sent`);
  }
  const idLength = messageId === undefined ? 0 : 2;
  const remaining = 2 + topicLength + idLength + payloadLength;
  const header = Buffer.allocUnsafe(1 + lengthBytes(remaining) + 2 + topicLength + idLength);
  header[0] = messageId === undefined ? 0x30 : 0x32; // PUBLISH, QoS 0 or 1
  let offset = 1;
  let rest = remaining;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    header[offset++] = byte;
  } while (rest > 0);
  header.writeUInt16BE(topicLength, offset);
  offset += 2;
  offset += header.write(topic, offset, 'utf8');
  if (messageId !== undefined) header.writeUInt16BE(messageId, offset);
  return header;
}
