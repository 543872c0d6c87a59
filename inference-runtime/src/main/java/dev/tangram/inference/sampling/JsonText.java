package dev.tangram.inference.sampling;

/**
 * The two JSON tokens whose bytes need counting, as state machines over plain {@code int}s (so that a cursor copies in a
 * few stores): the inside of a string (after its opening quote) and a number. Shared by {@link JsonCursor} and
 * {@link SchemaCursor}.
 */
final class JsonText {
    /** The byte cannot come here. */
    static final int REFUSE = -1;
    /** The byte was the string's closing quote. */
    static final int STRING_END = -2;
    /** The state just after a string's opening quote. */
    static final int STRING_START = 0;
    /** The state before a number's first byte. */
    static final int NUMBER_START = 0;
    /** The most digits in a number's integer or fraction part. */
    static final int MAX_DIGITS = 16;

    // a string state: mode + 4 * hex digits left + 32 * UTF-8 continuation bytes left
    private static final int PLAIN = 0;
    private static final int ESCAPE = 1;
    private static final int UNICODE = 2;

    // number states: what has been read of -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?, + 16 * the digits of the current part
    private static final int MINUS = 1;
    private static final int ZERO = 2;
    private static final int INT = 3;
    private static final int DOT = 4;
    private static final int FRACTION = 5;
    private static final int EXP = 6;
    private static final int EXP_SIGN = 7;
    private static final int EXPONENT = 8;

    private JsonText() {
    }

    /** The string state after byte {@code c}, {@link #STRING_END} at the closing quote, or {@link #REFUSE}. */
    static int string(int state, int c) {
        int mode = state & 3;
        int hex = (state >> 2) & 7;
        int utf8 = state >> 5;
        if (utf8 > 0) {
            return (c & 0xC0) == 0x80 ? (utf8 - 1) << 5 : REFUSE;
        }
        if (mode == ESCAPE) {
            if (c == 'u') {
                return UNICODE | 4 << 2;
            }
            return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't' ? PLAIN : REFUSE;
        }
        if (mode == UNICODE) {
            boolean isHex = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
            return !isHex ? REFUSE : hex > 1 ? UNICODE | (hex - 1) << 2 : PLAIN;
        }
        if (c == '"') {
            return STRING_END;
        }
        if (c == '\\') {
            return ESCAPE;
        }
        if (c < 0x20) {
            return REFUSE; // control characters must be escaped
        }
        if (c < 0x80) {
            return PLAIN;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            return 1 << 5;
        }
        if (c >= 0xE0 && c <= 0xEF) {
            return 2 << 5;
        }
        if (c >= 0xF0 && c <= 0xF4) {
            return 3 << 5;
        }
        return REFUSE; // a continuation byte without a lead, or a lead no character starts with
    }

    /**
     * Whether {@code bytes}, read inside a string in its plain state, leave it in that state: whole characters, none of
     * them a quote, a backslash or a control character. Such text cannot end the string or begin an escape.
     */
    static boolean keepsStringPlain(byte[] bytes) {
        if (bytes.length == 0) {
            return false;
        }
        int state = STRING_START;
        for (byte b : bytes) {
            state = string(state, b & 0xff);
            if (state < 0 || (state & 3) != PLAIN) {
                return false; // refused, the closing quote, or an escape begun
            }
        }
        return state == STRING_START;
    }

    /**
     * The number state after byte {@code c}, or {@link #REFUSE} where {@code c} cannot continue the number (then the number
     * has ended if {@link #numberCanEnd} says so, and the byte belongs to what follows). A part of a number (integer,
     * fraction, exponent) has at most {@link #MAX_DIGITS} digits, and the exponent three: a constrained model could
     * otherwise write digits until {@code max_tokens}, and no reader keeps more than a double's 17 significant digits.
     */
    static int number(int state, int c, boolean integer) {
        int phase = state & 15;
        int digits = state >> 4;
        boolean digit = c >= '0' && c <= '9';
        boolean dot = c == '.' && !integer;
        boolean exp = (c == 'e' || c == 'E') && !integer;
        int next = switch (phase) {
            case NUMBER_START -> c == '-' ? MINUS : digit ? (c == '0' ? ZERO : INT) : REFUSE;
            case MINUS -> digit ? (c == '0' ? ZERO : INT) : REFUSE;
            case ZERO -> dot ? DOT : exp ? EXP : REFUSE;
            case INT -> digit ? INT : dot ? DOT : exp ? EXP : REFUSE;
            case DOT -> digit ? FRACTION : REFUSE;
            case FRACTION -> digit ? FRACTION : exp ? EXP : REFUSE;
            case EXP -> digit ? EXPONENT : c == '+' || c == '-' ? EXP_SIGN : REFUSE;
            case EXP_SIGN, EXPONENT -> digit ? EXPONENT : REFUSE;
            default -> throw new IllegalStateException("no number state " + state);
        };
        if (next == REFUSE) {
            return REFUSE;
        }
        int count = next == phase && digit ? digits + 1 : digit ? 1 : 0; // digits of the part now being read
        if (count > (next == EXPONENT ? 3 : MAX_DIGITS)) {
            return REFUSE;
        }
        return next | count << 4;
    }

    /** Whether a number read this far is whole. */
    static boolean numberCanEnd(int state) {
        int phase = state & 15;
        return phase == ZERO || phase == INT || phase == FRACTION || phase == EXPONENT;
    }
}
