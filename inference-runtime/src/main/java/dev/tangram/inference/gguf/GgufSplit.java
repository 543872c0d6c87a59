package dev.tangram.inference.gguf;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A model split over several GGUF files, as llama.cpp's {@code gguf-split} writes them and Hugging Face serves models
 * larger than one file may be: files {@code PREFIX-00001-of-0000N.gguf} to {@code PREFIX-0000N-of-0000N.gguf}, each a
 * whole GGUF file of its own holding some of the tensors, all of them carrying {@link #NO} (which file this is, from 0),
 * {@link #COUNT} (how many there are) and {@link #TENSORS} (how many tensors all of them hold together). The first holds
 * the model's metadata, the others only those three keys.
 */
public final class GgufSplit {
    /** {@code split.no} (UINT16): this file's place in the split, from 0. */
    public static final String NO = "split.no";
    /** {@code split.count} (UINT16): the files of the split. */
    public static final String COUNT = "split.count";
    /** {@code split.tensors.count} (INT32): the tensors of all the files together. */
    public static final String TENSORS = "split.tensors.count";

    private GgufSplit() {}

    /** The name's ending of file {@code index} (from 0) of {@code count}: {@code -00002-of-00003.gguf} for 1 of 3. */
    public static String suffix(int index, int count) {
        return String.format(Locale.ROOT, "-%05d-of-%05d.gguf", index + 1, count);
    }

    /** File {@code index} (from 0) of {@code count} of the split whose files' names start with {@code prefix}. */
    public static Path path(Path prefix, int index, int count) {
        return prefix.resolveSibling(prefix.getFileName() + suffix(index, count));
    }

    /**
     * The prefix of {@code file}, file {@code index} of {@code count} of a split, where its name ends as that file's
     * does ({@link #suffix}); empty where it does not, and the split's other files cannot be found from it.
     */
    public static Optional<Path> prefix(Path file, int index, int count) {
        String name = file.getFileName().toString();
        String suffix = suffix(index, count);
        if (!name.endsWith(suffix) || name.length() == suffix.length()) {
            return Optional.empty();
        }
        return Optional.of(file.resolveSibling(name.substring(0, name.length() - suffix.length())));
    }

    /**
     * {@code file}'s name without {@code .gguf}, and without a split's file suffix where it has one of the usual shape
     * ({@code -00001-of-00003.gguf}): what a model is called when its metadata names it nothing.
     */
    public static String baseName(Path file) {
        String name = file.getFileName().toString();
        if (name.matches(".+-\\d{5}-of-\\d{5}\\.gguf")) {
            return name.substring(0, name.length() - suffix(0, 1).length());
        }
        return name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }
}
