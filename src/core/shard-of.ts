import { createHash } from "node:crypto";

const mask64 = (1n << 64n) - 1n;

/**
 * The shard of `key` among `count`, by jump consistent hashing (Lamping and Veach) of the key's
 * SHA-256: keys spread evenly, and when `count` grows from n to n+1 only about 1/(n+1) of them
 * move, all to the new shard. The same key and count give the same shard on every replica.
 */
export function shardOf(key: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shard count ${count}`);
  let state = createHash("sha256").update(key).digest().readBigUInt64BE(0);
  let bucket = -1n;
  let next = 0n;
  const n = BigInt(count);
  while (next < n) {
    bucket = next;
    state = (state * 2862933555777941757n + 1n) & mask64;
    next = BigInt(Math.floor(Number(bucket + 1n) * (2 ** 31 / Number((state >> 33n) + 1n))));
  }
  return Number(bucket);
}

/** `consumer/binding`: the key a binding is sharded by. */
export function bindingShardKey(consumer: string, binding: string): string {
  return `${consumer}/${binding}`;
}
