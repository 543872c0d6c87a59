package dev.tangram.inference.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A setting whose values a config file, the command line and the server's reports name by words, their names in lower
 * case ({@link KvCacheType}, {@link WindowCache}).
 */
public interface Worded {
    /** The constant's name (an enum's own). */
    String name();

    /** The word that names this value: its name in lower case ({@code f16}, {@code window}, {@code balanced}). */
    default String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value of {@code type} that {@code word} names, in any case, or an {@link IllegalArgumentException} saying which words there are. */
    static <E extends Enum<E> & Worded> E parse(Class<E> type, String word) {
        return Arrays.stream(type.getEnumConstants()).filter(v -> v.word().equals(word.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("expected " + words(type) + ", got '" + word + "'"));
    }

    /** The words of {@code type}'s values, for messages: "f16, f32 or q8_0". */
    static <E extends Enum<E> & Worded> String words(Class<E> type) {
        List<String> words = Arrays.stream(type.getEnumConstants()).map(Worded::word).toList();
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.getLast();
    }
}
