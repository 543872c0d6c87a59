package dev.tangram.inference.sampling;

/** Where a byte stream is within a format that output is held to, fed byte by byte (one per request; not thread-safe). */
interface TextCursor {
    /** Feeds one byte; answers whether the text so far can still become a whole document. A refused byte leaves it unusable. */
    boolean feed(byte b);

    /** Whether the document is whole (nothing more may follow). */
    boolean complete();

    /** Makes this cursor where {@code other}, a cursor of the same kind and format, is. */
    void copyFrom(TextCursor other);

    /**
     * Whether the cursor is inside a string whose content is free (any text may follow) and not in the middle of an escape
     * or a UTF-8 character: then text that keeps such a string plain ({@link JsonText#keepsStringPlain}) is accepted and
     * leaves the cursor where it is.
     */
    default boolean inPlainString() {
        return false;
    }
}
