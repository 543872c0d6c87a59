package dev.tangram.inference.testing;

import dev.tangram.inference.model.Architecture;
import dev.tangram.inference.model.DecoderScales;
import dev.tangram.inference.model.ForwardPass;
import dev.tangram.inference.model.LlamaConfig;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.model.SequenceChunk;
import dev.tangram.inference.model.SlidingWindow;
import dev.tangram.inference.sampling.TokenLogprobs;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test model whose logits are a deterministic function of the whole token history, read back from the paged KV
 * cache through the block table: a paging bug (wrong block, overwritten slot, stale shared block) changes the output.
 * Each slot stores (token, position) in every layer's keys and values; reading back checks the position. With
 * {@link #WINDOWED} the first two of three layers slide a window of {@value #WINDOW} positions: they are written through
 * the window table where the cache keeps them apart, and only the window of each chunk's last token is read back there.
 */
public final class HistoryForwardPass implements ForwardPass {
    public static final LlamaConfig CONFIG = new LlamaConfig(2, 8, 2, 1, 4, 16, FakeTokenizer.VOCAB, 512, 10000f, 1e-5f);
    /** The window of {@link #WINDOWED}'s sliding layers. */
    public static final int WINDOW = 6;
    /** Three layers, the first two sliding a window of {@link #WINDOW} positions, the last attending to all. */
    public static final LlamaConfig WINDOWED = new LlamaConfig(3, 8, 2, 1, 4, 16, FakeTokenizer.VOCAB, 512, 10000f, 1e-5f,
            Architecture.GEMMA3, 1f, DecoderScales.NONE, new SlidingWindow(WINDOW, SlidingWindow.pattern(3, 3), 10000f, 1f));

    private final LlamaConfig config;
    private final AtomicInteger calls = new AtomicInteger();
    private volatile long delayMillis;

    public HistoryForwardPass() {
        this(CONFIG);
    }

    public HistoryForwardPass(LlamaConfig config) {
        this.config = config;
    }

    /** Slows every step down, so that HTTP tests can catch a stream in the middle. */
    public HistoryForwardPass withDelayMillis(long millis) {
        this.delayMillis = millis;
        return this;
    }

    public int calls() {
        return calls.get();
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public float[][] forward(List<SequenceChunk> chunks, PagedKvCache cache) {
        calls.incrementAndGet();
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        float[][] out = new float[chunks.size()][];
        int bs = cache.blockSize();
        for (SequenceChunk c : chunks) {
            for (int j = 0; j < c.tokens().length; j++) {
                int p = c.startPosition() + j;
                for (int l = 0; l < config.layers(); l++) {
                    int off = cache.offset(c.table(cache, l)[p / bs], p % bs);
                    cache.keys(l)[off] = c.tokens()[j];
                    cache.keys(l)[off + 1] = p;
                    cache.values(l)[off] = c.tokens()[j] + l;
                }
            }
        }
        int whole = config.layers() - 1; // the last layer attends to every position
        for (int i = 0; i < chunks.size(); i++) {
            SequenceChunk c = chunks.get(i);
            if (!c.wantLogits() && c.scoring() == null) {
                continue;
            }
            long h = 0x9E3779B97F4A7C15L;
            for (int p = 0; p < c.endPosition(); p++) {
                int off = cache.offset(c.blockTable()[p / bs], p % bs);
                float token = cache.keys(whole)[off];
                for (int l = 0; l < config.layers(); l++) {
                    if (config.window().first(l, c.endPosition() - 1) > p) {
                        continue; // behind the last token's window
                    }
                    int lo = cache.offset(c.table(cache, l)[p / bs], p % bs);
                    if (cache.keys(l)[lo + 1] != p || cache.keys(l)[lo] != token || cache.values(l)[lo] != token + l) {
                        throw new IllegalStateException("layer " + l + "'s KV slot of position " + p + " holds position " + cache.keys(l)[lo + 1]
                                + ", token " + cache.keys(l)[lo]);
                    }
                }
                h = mix(h ^ (long) token);
                int j = p - c.startPosition();
                if (c.scoring() != null && j >= 0) {
                    int target = j + 1 < c.tokens().length ? c.tokens()[j + 1] : c.scoring().nextToken();
                    if (target >= 0) {
                        c.scoring().out()[j] = TokenLogprobs.of(logits(h), target, c.scoring().alternatives());
                    }
                }
            }
            if (c.wantLogits()) {
                out[i] = logits(h);
            }
        }
        return out;
    }

    /** The logits after a history that hashes to {@code h}. */
    private float[] logits(long h) {
        float[] logits = new float[config.vocabSize()];
        for (int v = 0; v < logits.length; v++) {
            logits[v] = (mix(h + v) >>> 40) / (float) (1 << 24);
        }
        return logits;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
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
