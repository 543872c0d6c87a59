package dev.tangram.inference.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The test vectors llama.cpp keeps next to a vocabulary ({@code NAME.gguf.inp}, {@code NAME.gguf.out}), read the way its
 * {@code tests/test-tokenizer-0.cpp} reads them: the input file is the texts, each followed by the separator line
 * {@code \n__ggml_vocab_test__\n}; the output file has one line per text with its token ids separated by spaces
 * (tokenized without BOS/EOS and without parsing special tokens).
 *
 * @param texts    the inputs, in file order
 * @param expected the token ids of each input
 */
record VocabVectors(List<String> texts, List<int[]> expected) {
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    VocabVectors {
        if (texts.size() != expected.size()) {
            throw new IllegalArgumentException("input and output files have different numbers of tests: " + texts.size() + " texts, "
                    + expected.size() + " token lines");
        }
    }

    /** The vectors of {@code gguf} (its {@code .inp} and {@code .out} siblings). */
    static VocabVectors read(Path gguf) throws IOException {
        return parse(Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8),
                Files.readString(Path.of(gguf + ".out"), StandardCharsets.UTF_8));
    }

    static VocabVectors parse(String inp, String out) {
        List<String> texts = new ArrayList<>();
        int pos = 0;
        while (pos < inp.length()) {
            int next = inp.indexOf(SEPARATOR, pos);
            if (next < 0) {
                texts.add(inp.substring(pos));
                break;
            }
            texts.add(inp.substring(pos, next));
            pos = next + SEPARATOR.length();
        }
        List<int[]> ids = new ArrayList<>();
        List<String> lines = out.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            try {
                ids.add(line.isEmpty() ? new int[0] : Arrays.stream(line.split(" +")).mapToInt(Integer::parseInt).toArray());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("output line " + (i + 1) + " is not token ids: " + line, e);
            }
        }
        return new VocabVectors(texts, ids);
    }

    int size() {
        return texts.size();
    }
}
