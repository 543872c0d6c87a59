package dev.tangram.inference.kv;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The identity of a full KV block for prefix caching: a 128-bit digest of the parent block's hash and the block's
 * tokens, so equal hashes mean equal token chains from position 0 (up to a SHA-256 collision).
 *
 * @param high first 64 bits of the digest
 * @param low  next 64 bits
 */
public record BlockHash(long high, long low) {
    /** The parent of the first block of every sequence. */
    public static final BlockHash ROOT = new BlockHash(0L, 0L);

    /** hash(parent hash, tokens of the block). */
    public static BlockHash of(BlockHash parent, int[] tokens, int from, int to) {
        ByteBuffer buf = ByteBuffer.allocate(16 + 4 * (to - from));
        buf.putLong(parent.high).putLong(parent.low);
        for (int i = from; i < to; i++) {
            buf.putInt(tokens[i]);
        }
        byte[] digest = sha256().digest(buf.array());
        ByteBuffer d = ByteBuffer.wrap(digest);
        return new BlockHash(d.getLong(), d.getLong());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships SHA-256", e);
        }
    }
}
