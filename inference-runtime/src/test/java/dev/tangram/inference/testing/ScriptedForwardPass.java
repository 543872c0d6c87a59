package dev.tangram.inference.testing;

import dev.tangram.inference.model.ForwardPass;
import dev.tangram.inference.model.LlamaConfig;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.model.SequenceChunk;

import java.util.List;

/**
 * A test model that writes a fixed answer: after any prompt its greedy tokens are {@code script}, then {@code end}. Each
 * sequence's tokens are kept in the paged KV cache and read back through its block table, and the next token is the one
 * that continues the longest part of the script the history already ends with.
 */
public final class ScriptedForwardPass implements ForwardPass {
    private final LlamaConfig config;
    private final int[] script;
    private final int end;

    public ScriptedForwardPass(int vocabSize, int[] script, int end) {
        this.config = new LlamaConfig(1, 8, 2, 1, 4, 16, vocabSize, 4096, 10000f, 1e-5f);
        this.script = script.clone();
        this.end = end;
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public float[][] forward(List<SequenceChunk> chunks, PagedKvCache cache) {
        int bs = cache.blockSize();
        float[][] out = new float[chunks.size()][];
        for (int i = 0; i < chunks.size(); i++) {
            SequenceChunk c = chunks.get(i);
            for (int j = 0; j < c.tokens().length; j++) {
                int p = c.startPosition() + j;
                cache.keys(0)[cache.offset(c.blockTable()[p / bs], p % bs)] = c.tokens()[j];
            }
            if (!c.wantLogits()) {
                continue;
            }
            int[] history = new int[c.endPosition()];
            for (int p = 0; p < history.length; p++) {
                history[p] = (int) cache.keys(0)[cache.offset(c.blockTable()[p / bs], p % bs)];
            }
            int done = 0;
            for (int k = Math.min(script.length, history.length); k > 0 && done == 0; k--) {
                if (java.util.Arrays.equals(history, history.length - k, history.length, script, 0, k)) {
                    done = k;
                }
            }
            out[i] = new float[config.vocabSize()];
            out[i][done == script.length ? end : script[done]] = 10f;
        }
        return out;
    }

    @Override
    public long weightBytes() {
        return 1024;
    }

    @Override
    public long activationBytes(int tokens) {
        return 64L * tokens;
    }
}
