/**
 * Runs in Chromium: the PROTOCOL.md test vectors (test/vectors/) checked against the browser
 * build's packet code, AES-256-GCM included (WebCrypto, src/lib/browser/webcrypto-gcm.ts). The
 * browser test bundles this file with the browser build's plugin, so it runs the same shims a
 * page does. It returns what it found; the test compares.
 */
import { finishSeal, prepareOpen } from '../../src/lib/browser/webcrypto-gcm.js';
import { CODECS } from '../../src/lib/wire/codec.js';
import type { Codec, Frame } from '../../src/lib/wire/frames.js';
import { Keyring } from '../../src/lib/wire/keyring.js';
import { PacketOpener, sealPacket } from '../../src/lib/wire/packet.js';
import { ReplayGuard } from '../../src/lib/wire/replay.js';

interface Key {
  name: string;
  secretHex: string;
}
interface ReceiverState {
  now: number;
  startedAt: number;
  replayWindowMs: number;
  startSkewMs: number;
}
interface PacketVector {
  name: string;
  keyring: string[];
  header: { codec: Codec; keyId: string; instance: string; counter: number; ts: number; to: string; encrypted: boolean };
  frames: Frame[];
  packetHex: string;
}
interface RejectedVector {
  name: string;
  keyring: string[];
  packetHex: string;
  maxPacketBytes: number;
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const unhex = (s: string): Uint8Array => Buffer.from(s, 'hex');

function guardOf(state: ReceiverState): ReplayGuard {
  let now = state.startedAt;
  const guard = new ReplayGuard({ now: () => now, windowMs: state.replayWindowMs, startSkewMs: state.startSkewMs });
  now = state.now;
  return guard;
}

async function check(
  keys: Key[],
  packets: ReceiverState & { maxPacketBytes: number; vectors: PacketVector[] },
  rejected: ReceiverState & { vectors: RejectedVector[] },
): Promise<{ sealed: Record<string, string>; opened: Record<string, unknown>; rejected: Record<string, string> }> {
  const keyringOf = (names: string[]) => new Keyring(names.map((n) => unhex(keys.find((k) => k.name === n)!.secretHex)));
  const sealed: Record<string, string> = {};
  const opened: Record<string, unknown> = {};
  const refused: Record<string, string> = {};
  for (const v of packets.vectors) {
    const keyring = keyringOf(v.keyring);
    const codec = CODECS[v.header.codec];
    const fields = { ...v.header, key: keyring.find(parseInt(v.header.keyId, 16))!, codec, instance: unhex(v.header.instance), encrypt: v.header.encrypted };
    const bytes = sealPacket(fields, v.frames.map((f) => codec.encodeFrame(f)));
    await finishSeal(bytes);
    sealed[v.name] = hex(bytes);

    const incoming = unhex(v.packetHex);
    await prepareOpen(incoming, keyring);
    const opener = new PacketOpener({ keyring, guard: guardOf(packets), maxPacketBytes: packets.maxPacketBytes });
    opened[v.name] = opener.open(incoming).frames;
  }
  for (const v of rejected.vectors) {
    const keyring = keyringOf(v.keyring);
    const incoming = unhex(v.packetHex);
    await prepareOpen(incoming, keyring);
    const opener = new PacketOpener({ keyring, guard: guardOf(rejected), maxPacketBytes: v.maxPacketBytes });
    try {
      opener.open(incoming);
      refused[v.name] = 'opened';
    } catch (error) {
      refused[v.name] = (error as { code?: string }).code ?? String(error);
    }
  }
  return { sealed, opened, rejected: refused };
}

(globalThis as { botzPacketVectors?: typeof check }).botzPacketVectors = check;
