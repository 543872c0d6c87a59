package dev.tangram.inference.testing;

import dev.tangram.inference.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** One token per character of a small alphabet; 0 is BOS, 1 is EOS. Unknown characters become '?'. */
public final class FakeTokenizer implements Tokenizer {
    public static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz .,!?:0123";
    public static final int VOCAB = 2 + ALPHABET.length();

    @Override
    public int[] encode(String text, boolean addBos) {
        int[] out = new int[text.length() + (addBos ? 1 : 0)];
        int i = 0;
        if (addBos) {
            out[i++] = 0;
        }
        for (char ch : text.toLowerCase().toCharArray()) {
            int k = ALPHABET.indexOf(ch);
            out[i++] = 2 + (k < 0 ? ALPHABET.indexOf('?') : k);
        }
        return out;
    }

    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int t : tokens) {
            b.writeBytes(tokenBytes(t));
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int token) {
        return token < 2 ? new byte[0] : String.valueOf(ALPHABET.charAt(token - 2)).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return VOCAB;
    }

    @Override
    public int bos() {
        return 0;
    }

    @Override
    public int eos() {
        return 1;
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return token == 1;
    }
}
