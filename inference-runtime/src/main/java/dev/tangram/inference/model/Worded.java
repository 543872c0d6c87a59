package dev.tangram.inference.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A setting whose values a config file and the command line name by words ({@link KvCacheType}, {@link WindowCache}). */
public interface Worded {
    /** The word that names this value. */
    String word();

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
