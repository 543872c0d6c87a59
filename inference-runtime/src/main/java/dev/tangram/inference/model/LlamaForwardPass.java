package dev.tangram.inference.model;

import dev.tangram.inference.kernels.Elementwise;
import dev.tangram.inference.kernels.GroupedAttention;
import dev.tangram.inference.kernels.Hadamard;
import dev.tangram.inference.kernels.MatmulKernel;
import dev.tangram.inference.kernels.WeightMatrix;
import dev.tangram.inference.kernels.WidenedHistory;
import dev.tangram.inference.kernels.WorkerPool;
import dev.tangram.inference.sampling.TokenLogprobs;
import java.util.List;

/**
 * The Llama decoder over a batch of sequence chunks: all tokens of all chunks go through each weight matrix together
 * (one pass over the weights per step), attention reads keys and values through each chunk's block table.
 * RoPE rotates the pairs of each head the architecture says ({@link Architecture.RopeStyle}); its biases, per-head Q/K
 * norms and multipliers are applied where the model has them, and Gemma's block (GELU, the norms after attention and
 * FFN, sliding-window layers with their own RoPE base, the logits' soft cap) where the architecture has it. A mixture of
 * experts routes each token ({@link ExpertRouter}) and takes each expert's tokens through it together. Calls are
 * serialised; scratch buffers are reused.
 */
public final class LlamaForwardPass implements ForwardPass {
    private final LlamaConfig c;
    private final LlamaWeights w;
    private final MatmulKernel kernel;
    private final WorkerPool pool;
    private final int qDim;
    private final float[] invFreq;
    /** What RoPE multiplies the rotated values by (the attention factor, YaRN's growth). */
    private final double magnitude;
    /** The sliding-window layers' RoPE frequencies (their own base and scale), or null where no layer slides. */
    private final float[] localInvFreq;
    private final double localMagnitude;

    // scratch, grown to the largest batch seen; shapes in comments are [tokens × width]
    private int capacity;
    private float[] x;     // [T × dim] residual stream
    private float[] xb;    // [T × dim] normed input / attention output projection
    private float[] q;     // [T × qDim]
    private float[] k;     // [T × kvDim]
    private float[] v;     // [T × kvDim]
    private float[] att;   // [T × qDim] attention output
    private float[] hb;    // [T × ffn] gate, then SwiGLU
    private float[] hb2;   // [T × ffn] up
    private float[] cos;   // [T × headDim/2]
    private float[] sin;   // [T × headDim/2]
    private float[] localCos; // [T × headDim/2], for sliding-window layers
    private float[] localSin; // [T × headDim/2]
    private int[] pos;     // [T] position of each token
    private float[] queryScales; // [T] what each token's queries are multiplied by (Mistral 3's temperature tuning), or null
    private int[] owner;   // [T] chunk index of each token
    // a mixture of experts' scratch (null for dense FFNs)
    private float[] routerLogits; // [T × experts]
    private int[] chosen;         // [T × used] each token's experts, likeliest first
    private float[] chosenWeight; // [T × used] their weights
    private int[] bySlot;         // [T × used] the slots of chosen, ordered by expert
    private int[] expertStart;    // [experts + 1] where each expert's slots start in bySlot
    private int[] expertFill;     // [experts] the next free place of each expert's slots while ordering them
    private float[] expertIn;     // [T × dim] an expert's tokens' normed inputs, gathered
    private float[] expertOut;    // [T × dim] their outputs
    private float[] mixture;      // [T × dim] each token's weighted sum of its experts' outputs
    private float[] singleOut;    // [singles × dim] the outputs of the experts with one token, in expert order
    // one parallel region for the experts with one token each (MatmulKernel.multiplyEach): its matrices, the token each
    // multiplies, and where each writes
    private WeightMatrix[] eachMatrix;
    private int[] eachInput;
    private float[][] eachOut;
    private int[] eachFrom;
    /** Per participant: its attention kernel and scratch. */
    private final GroupedAttention[] attention;
    /** Per participant: a prefill chunk's history widened from a narrow cache (halves or Q8_0) once for its tokens. */
    private final WidenedHistory[] histories;
    private float[] logitScratch = new float[0]; // [wanted × vocab]

    // the current step, read by the attention task
    private List<SequenceChunk> chunks;
    private PagedKvCache cache;
    private int layer;
    /** Counts layers' attention phases: what a {@link WidenedHistory} widened stays valid within one. */
    private long attentionEpoch;
    private int attentionTokens;
    private int swiGluEnd;
    private final WorkerPool.RangeTask attentionTask = this::attention;
    private final WorkerPool.RangeTask swiGluTask = this::gatedActivation;
    /** Elements of the FFN activation per SwiGLU work item. */
    private static final int SWIGLU_SLICE = 4096;

    public LlamaForwardPass(LlamaConfig config, LlamaWeights weights, MatmulKernel kernel) {
        this.c = config;
        this.w = weights;
        this.kernel = kernel;
        this.pool = kernel.pool();
        this.qDim = config.qDim();
        RopeScaling rope = config.rope();
        this.invFreq = rope.inverseFrequencies(config.ropeDims(), config.ropeTheta(), config.ropeScale(), weights.ropeFreqFactors());
        this.magnitude = rope.magnitude(config.ropeScale());
        boolean window = config.window().size() > 0;
        this.localInvFreq = window ? rope.inverseFrequencies(config.ropeDims(), config.window().ropeTheta(), config.window().ropeScale(), null)
                : null;
        this.localMagnitude = window ? rope.magnitude(config.window().ropeScale()) : 1;
        this.attention = new GroupedAttention[pool.size()];
        java.util.Arrays.setAll(attention, i -> new GroupedAttention(config.heads() / config.kvHeads(), config.headDim(),
                config.scales().attentionCap()));
        this.histories = new WidenedHistory[pool.size()];
        java.util.Arrays.setAll(histories, i -> new WidenedHistory(config.contextLength(), config.headDim()));
    }

    @Override
    public LlamaConfig config() {
        return c;
    }

    @Override
    public long weightBytes() {
        return w.bytes();
    }

    @Override
    public long activationBytes(int tokens) {
        Experts e = c.experts();
        long perToken = 3L * c.dim() + 2L * qDim + 2L * c.kvDim() + 2L * c.ffnWidth() + 2L * c.headDim() + 2 + c.vocabSize()
                + (e.present() ? e.count() + 3L * e.used() + 3L * c.dim() : 0) + (c.scales().queryTemperature() == 0 ? 0 : 1);
        // the experts with one token each: their activations beyond the tokens', their outputs, the kernel's 8-bit levels
        long singles = singles(tokens);
        long moe = Math.max(0, singles - tokens) * 2L * c.ffnWidth() + singles * c.dim() + singles * Math.max(c.dim(), c.ffnWidth());
        int widestRow = Math.max(Math.max(c.dim(), c.ffnWidth()), qDim);
        long perThread = 4L * 4L * widestRow + GroupedAttention.scratchBytes(c.heads() / c.kvHeads(), c.headDim())
                + WidenedHistory.scratchBytes(c.contextLength(), c.headDim());
        long kernel = pool.size() * MatmulKernel.scratchBytes(tokens, widestRow) + MatmulKernel.inputCopyBytes(tokens, widestRow);
        return 4L * tokens * perToken + 4L * moe + pool.size() * perThread + kernel;
    }

    @Override
    public synchronized float[][] forward(List<SequenceChunk> chunks, PagedKvCache cache) {
        if (cache.config().layers() != c.layers() || cache.config().kvDim() != c.kvDim()) {
            throw new IllegalArgumentException("the KV cache was built for another model shape: " + cache.config());
        }
        int total = 0;
        for (int ci = 0; ci < chunks.size(); ci++) {
            SequenceChunk ch = chunks.get(ci);
            check(ci, ch, cache);
            total += ch.tokens().length;
        }
        float[][] result = new float[chunks.size()][];
        if (total == 0) {
            return result;
        }
        ensureCapacity(total);
        this.chunks = chunks;
        this.cache = cache;
        try {
            embed(chunks);
            for (int l = 0; l < c.layers(); l++) {
                layer(l, total);
            }
            logits(chunks, result);
            score(chunks);
        } finally {
            this.chunks = null;
            this.cache = null;
        }
        return result;
    }

    private void check(int ci, SequenceChunk ch, PagedKvCache cache) {
        if (ch.endPosition() > c.contextLength()) {
            throw new IllegalArgumentException("chunk " + ci + " reaches position " + ch.endPosition() + ", past the context length "
                    + c.contextLength());
        }
        int needBlocks = (ch.endPosition() + cache.blockSize() - 1) / cache.blockSize();
        if (ch.blockTable().length < needBlocks) {
            throw new IllegalArgumentException("chunk " + ci + " needs " + needBlocks + " blocks for " + ch.endPosition()
                    + " positions, its block table has " + ch.blockTable().length);
        }
        checkBlocks(ci, ch.blockTable(), 0, needBlocks, cache.numBlocks(), "");
        if (cache.windowBlocks() > 0) {
            if (ch.windowTable() == null || ch.windowTable().length < needBlocks) {
                throw new IllegalArgumentException("chunk " + ci + " needs a window table of " + needBlocks + " blocks for " + ch.endPosition()
                        + " positions, it has " + (ch.windowTable() == null ? "none" : ch.windowTable().length));
            }
            // the first block the window of the chunk's first token reaches, and every block after it
            int first = c.window().firstInWindow(ch.startPosition()) / cache.blockSize();
            checkBlocks(ci, ch.windowTable(), first, needBlocks, cache.windowBlocks(), "window ");
        }
        for (int t : ch.tokens()) {
            if (t < 0 || t >= c.vocabSize()) {
                throw new IllegalArgumentException("chunk " + ci + " holds token " + t + ", outside the vocabulary of " + c.vocabSize());
            }
        }
        if (ch.scoring() != null && ch.scoring().nextToken() >= c.vocabSize()) {
            throw new IllegalArgumentException("chunk " + ci + " is to score token " + ch.scoring().nextToken() + ", outside the vocabulary of "
                    + c.vocabSize());
        }
    }

    private static void checkBlocks(int ci, int[] table, int from, int to, int blocks, String which) {
        for (int i = from; i < to; i++) {
            int b = table[i];
            if (b < 0 || b >= blocks) {
                throw new IllegalArgumentException("chunk " + ci + " names " + which + "block " + b + " for its block " + i + ", the "
                        + which + "pool has " + blocks);
            }
        }
    }

    private void ensureCapacity(int tokens) {
        if (tokens > capacity) {
            capacity = tokens;
            x = new float[tokens * c.dim()];
            xb = new float[tokens * Math.max(c.dim(), qDim)];
            q = new float[tokens * qDim];
            k = new float[tokens * c.kvDim()];
            v = new float[tokens * c.kvDim()];
            att = new float[tokens * qDim];
            hb = new float[Math.max(tokens, singles(tokens)) * c.ffnWidth()];
            hb2 = new float[Math.max(tokens, singles(tokens)) * c.ffnWidth()];
            cos = new float[tokens * invFreq.length];
            sin = new float[tokens * invFreq.length];
            localCos = localInvFreq == null ? null : new float[tokens * invFreq.length];
            localSin = localInvFreq == null ? null : new float[tokens * invFreq.length];
            pos = new int[tokens];
            owner = new int[tokens];
            queryScales = c.scales().queryTemperature() == 0 ? null : new float[tokens];
            Experts e = c.experts();
            if (e.present()) {
                routerLogits = new float[tokens * e.count()];
                chosen = new int[tokens * e.used()];
                chosenWeight = new float[tokens * e.used()];
                bySlot = new int[tokens * e.used()];
                expertStart = new int[e.count() + 1];
                expertFill = new int[e.count()];
                expertIn = new float[tokens * c.dim()];
                expertOut = new float[tokens * c.dim()];
                mixture = new float[tokens * c.dim()];
                singleOut = new float[singles(tokens) * c.dim()];
                eachMatrix = new WeightMatrix[2 * singles(tokens)];
                eachInput = new int[2 * singles(tokens)];
                eachOut = new float[2 * singles(tokens)][];
                eachFrom = new int[2 * singles(tokens)];
            }
        }
    }

    private void embed(List<SequenceChunk> chunks) {
        int t = 0;
        int half = invFreq.length;
        for (int ci = 0; ci < chunks.size(); ci++) {
            SequenceChunk ch = chunks.get(ci);
            for (int i = 0; i < ch.tokens().length; i++, t++) {
                w.tokenEmbedding().dequantizeRow(ch.tokens()[i], x, t * c.dim());
                pos[t] = ch.startPosition() + i;
                owner[t] = ci;
                if (queryScales != null) {
                    queryScales[t] = (float) c.scales().queryScale(pos[t]);
                }
                for (int f = 0; f < half; f++) {
                    double angle = (double) pos[t] * invFreq[f];
                    cos[t * half + f] = (float) (Math.cos(angle) * magnitude);
                    sin[t * half + f] = (float) (Math.sin(angle) * magnitude);
                    if (localInvFreq != null) {
                        double local = (double) pos[t] * localInvFreq[f];
                        localCos[t * half + f] = (float) (Math.cos(local) * localMagnitude);
                        localSin[t * half + f] = (float) (Math.sin(local) * localMagnitude);
                    }
                }
            }
        }
        if (c.scales().embedding() != 1) {
            Elementwise.scale(x, c.scales().embedding(), t * c.dim());
        }
    }

    private void layer(int l, int tokens) {
        LlamaWeights.Layer lw = w.layers()[l];
        int dim = c.dim();
        normOrCopy(lw.attnNorm(), tokens);
        kernel.multiply(xb, tokens, lw.wq(), q, lw.wk(), k, lw.wv(), v);
        LlamaWeights.Biases bias = lw.biases();
        addBias(q, bias.q(), tokens);
        addBias(k, bias.k(), tokens);
        addBias(v, bias.v(), tokens);
        if (lw.qNorm() != null) {
            // per head (Qwen3, Gemma 3) or over the whole projection (OLMo 2), as wide as the norm's weights
            int qWidth = lw.qNorm().length;
            int kWidth = lw.kNorm().length;
            rmsNorm(q, lw.qNorm(), q, tokens * qDim / qWidth, qWidth);
            rmsNorm(k, lw.kNorm(), k, tokens * c.kvDim() / kWidth, kWidth);
        }
        boolean local = c.window().isLocal(l);
        if (c.rotates(l)) {
            rope(q, c.heads(), tokens, local);
            rope(k, c.kvHeads(), tokens, local);
        }
        if (queryScales != null) {
            for (int t = 0; t < tokens; t++) {
                Elementwise.scale(q, t * qDim, queryScales[t], qDim); // Llama 4's temperature tuning
            }
        }
        int keyRotation = cache.type().keyRotation(c.headDim());
        int valueRotation = cache.type().valueRotation(c.headDim());
        if (keyRotation > 0) {
            Hadamard.rotateEach(k, 0, tokens * c.kvDim(), keyRotation);
        }
        if (valueRotation > 0) {
            Hadamard.rotateEach(v, 0, tokens * c.kvDim(), valueRotation);
        }
        int bs = cache.blockSize();
        boolean narrow = cache.type() != KvCacheType.F32;
        for (int t = 0; t < tokens; t++) {
            int[] table = chunks.get(owner[t]).table(cache, l);
            int block = table[pos[t] / bs];
            int kvo = t * c.kvDim();
            if (narrow) {
                cache.narrow(l).store(k, kvo, v, kvo, block, pos[t] % bs);
            } else {
                GroupedAttention.store(k, kvo, v, kvo, cache.keys(l), cache.values(l), block, pos[t] % bs, bs, c.kvHeads(), c.headDim());
            }
        }
        this.layer = l;
        this.attentionTokens = tokens;
        attentionEpoch++;
        pool.run(tokens * c.kvHeads(), Math.max(1, tokens * c.kvHeads() / (pool.size() * 8)), attentionTask);
        kernel.multiply(lw.wo(), att, tokens, xb);
        addBias(xb, bias.o(), tokens);
        if (lw.postAttnNorm() != null) {
            rmsNorm(xb, lw.postAttnNorm(), xb, tokens, dim);
        }
        addResidual(xb, tokens);

        normOrCopy(lw.ffnNorm(), tokens);
        if (lw.experts() != null) {
            mixtureOfExperts(lw.experts(), tokens);
        } else {
            kernel.multiply(xb, tokens, lw.wGate(), hb, lw.wUp(), hb2);
            addBias(hb, bias.gate(), tokens);
            addBias(hb2, bias.up(), tokens);
            gatedActivation(tokens * c.ffnDim());
            kernel.multiply(lw.wDown(), hb, tokens, xb);
        }
        addBias(xb, bias.down(), tokens);
        if (lw.postFfnNorm() != null) {
            rmsNorm(xb, lw.postFfnNorm(), xb, tokens, dim);
        }
        addResidual(xb, tokens);
    }

    /**
     * The FFN as a mixture of experts, from the normed input in {@code xb} to the output in {@code xb}: the router's
     * logits, each token's experts ({@link ExpertRouter}), then expert by expert its tokens' inputs gathered, through its
     * gate, up and down projections together, and each output added, weighted, to its token's sum.
     */
    private void mixtureOfExperts(LlamaWeights.ExpertWeights ew, int tokens) {
        Experts e = c.experts();
        int dim = c.dim();
        int used = e.used();
        kernel.multiply(ew.router(), xb, tokens, routerLogits);
        LlamaWeights.ExpertBiases biases = ew.biases();
        if (biases != null) {
            addBias(routerLogits, biases.router(), tokens);
        }
        for (int t = 0; t < tokens; t++) {
            ExpertRouter.route(routerLogits, t * e.count(), e.count(), used, chosen, chosenWeight, t * used);
        }
        // the slots (token × used + rank) ordered by expert: a counting sort
        int slots = tokens * used;
        java.util.Arrays.fill(expertStart, 0);
        for (int i = 0; i < slots; i++) {
            expertStart[chosen[i] + 1]++;
        }
        for (int ex = 0; ex < e.count(); ex++) {
            expertStart[ex + 1] += expertStart[ex];
        }
        System.arraycopy(expertStart, 0, expertFill, 0, e.count());
        for (int i = 0; i < slots; i++) {
            bySlot[expertFill[chosen[i]]++] = i;
        }
        java.util.Arrays.fill(mixture, 0, tokens * dim, 0f);
        singleExperts(ew, used);
        for (int ex = 0, single = 0; ex < e.count(); ex++) {
            int from = expertStart[ex];
            int n = expertStart[ex + 1] - from;
            if (n == 0) {
                continue;
            }
            if (n == 1) {
                int slot = bySlot[from];
                Elementwise.addScaled(mixture, slot / used * dim, singleOut, single++ * dim, chosenWeight[slot], dim);
                continue;
            }
            for (int j = 0; j < n; j++) {
                System.arraycopy(xb, bySlot[from + j] / used * dim, expertIn, j * dim, dim);
            }
            kernel.multiply(expertIn, n, ew.gate()[ex], hb, ew.up()[ex], hb2);
            if (biases != null) {
                addBias(hb, biases.gate()[ex], n);
                addBias(hb2, biases.up()[ex], n);
            }
            gatedActivation(n * e.ffn());
            kernel.multiply(ew.down()[ex], hb, n, expertOut);
            if (biases != null) {
                addBias(expertOut, biases.down()[ex], n);
            }
            for (int j = 0; j < n; j++) {
                int slot = bySlot[from + j];
                Elementwise.addScaled(mixture, slot / used * dim, expertOut, j * dim, chosenWeight[slot], dim);
            }
        }
        System.arraycopy(mixture, 0, xb, 0, tokens * dim);
    }

    /**
     * The experts that have one token in this step (every one a decode step of one sequence takes), through their gates
     * and ups in one parallel region and their downs in another, outputs into {@link #singleOut} in expert order: the
     * same products as one expert at a time, with two waits for the workers instead of two per expert.
     */
    private void singleExperts(LlamaWeights.ExpertWeights ew, int used) {
        Experts e = c.experts();
        int ffn = e.ffn();
        int singles = 0;
        for (int ex = 0; ex < e.count(); ex++) {
            if (expertStart[ex + 1] - expertStart[ex] == 1) {
                int token = bySlot[expertStart[ex]] / used;
                each(2 * singles, ew.gate()[ex], token, hb, singles * ffn);
                each(2 * singles + 1, ew.up()[ex], token, hb2, singles * ffn);
                singles++;
            }
        }
        if (singles == 0) {
            return;
        }
        kernel.multiplyEach(2 * singles, eachMatrix, eachInput, xb, eachOut, eachFrom);
        LlamaWeights.ExpertBiases biases = ew.biases();
        if (biases != null) {
            addSinglesBiases(biases.gate(), hb, ffn);
            addSinglesBiases(biases.up(), hb2, ffn);
        }
        gatedActivation(singles * ffn);
        for (int ex = 0, j = 0; ex < e.count(); ex++) {
            if (expertStart[ex + 1] - expertStart[ex] == 1) {
                each(j, ew.down()[ex], j, singleOut, j * c.dim());
                j++;
            }
        }
        kernel.multiplyEach(singles, eachMatrix, eachInput, hb, eachOut, eachFrom);
        if (biases != null) {
            addSinglesBiases(biases.down(), singleOut, c.dim());
        }
    }

    /**
     * Each expert with one token in this step gets its bias ({@code biases[expert]}, {@code width} wide) added to its row of
     * {@code out}, the rows in expert order as {@link #singleExperts} writes them.
     */
    private void addSinglesBiases(float[][] biases, float[] out, int width) {
        for (int ex = 0, j = 0; ex < c.experts().count(); ex++) {
            if (expertStart[ex + 1] - expertStart[ex] == 1) {
                Elementwise.addScaled(out, j++ * width, biases[ex], 0, 1f, width);
            }
        }
    }

    private void each(int m, WeightMatrix matrix, int input, float[] out, int from) {
        eachMatrix[m] = matrix;
        eachInput[m] = input;
        eachOut[m] = out;
        eachFrom[m] = from;
    }

    /** The most experts one step of {@code tokens} tokens can give one token each: every slot, or every expert. */
    private int singles(int tokens) {
        Experts e = c.experts();
        return e.present() ? Math.min(e.count(), tokens * e.used()) : 0;
    }

    /** {@code bias} (of one token's width, or null for none) added to each of the first {@code tokens} rows of {@code out}. */
    private static void addBias(float[] out, float[] bias, int tokens) {
        if (bias != null) {
            Elementwise.addToRows(out, bias, tokens, bias.length);
        }
    }

    /** A block's output {@code [tokens × dim]} joins the residual stream, scaled first where the architecture says. */
    private void addResidual(float[] out, int tokens) {
        int n = tokens * c.dim();
        if (c.scales().residual() != 1) {
            Elementwise.scale(out, c.scales().residual(), n);
        }
        Elementwise.add(x, out, n);
    }

    /**
     * Attention of items {@code [from, to)}, item = KV head × tokens + token (the query heads sharing a KV head go
     * together, and a worker's run of items takes one KV head over consecutive tokens). Over a narrow cache (halves or
     * Q8_0), a prefill chunk's tokens read their sequence's history widened once per worker run ({@link WidenedHistory})
     * where it fits, a decode token (or a history too long) widens tile by tile. Over a rotated cache the query heads are
     * rotated first, in place, and the output rotated back.
     */
    private void attention(int from, int to, int worker) {
        int hd = c.headDim();
        int group = c.heads() / c.kvHeads();
        float scale = c.scales().attentionScale(hd);
        boolean narrow = cache.type() != KvCacheType.F32;
        int keyRotation = cache.type().keyRotation(hd);
        int valueRotation = cache.type().valueRotation(hd);
        int bs = cache.blockSize();
        GroupedAttention kernel = attention[worker];
        float[] sinks = w.layers()[layer].sinks();
        for (int item = from; item < to; item++) {
            int kvHead = item / attentionTokens;
            int t = item % attentionTokens;
            int qo = t * qDim + kvHead * group * hd;
            SequenceChunk chunk = chunks.get(owner[t]);
            int[] table = chunk.table(cache, layer);
            int first = c.window().first(layer, pos[t]);
            int blocks = pos[t] / bs + 1;
            WidenedHistory history = histories[worker];
            if (keyRotation > 0) {
                Hadamard.rotateEach(q, qo, group * hd, keyRotation);
            }
            if (narrow && chunk.tokens().length > 1 && history.holds(first / bs, blocks, bs, hd)) {
                history.widen(attentionEpoch, cache.narrow(layer), table, first / bs, blocks, kvHead);
                kernel.attend(q, qo, scale, history.keys(), history.values(), history.table(), bs, 1, 0, first, pos[t] + 1, att, qo,
                        sinks, kvHead * group);
            } else if (narrow) {
                kernel.attend(q, qo, scale, cache.narrow(layer), table, kvHead, first, pos[t] + 1, att, qo, sinks, kvHead * group);
            } else {
                kernel.attend(q, qo, scale, cache.keys(layer), cache.values(layer), table, bs, c.kvHeads(), kvHead, first, pos[t] + 1, att,
                        qo, sinks, kvHead * group);
            }
            if (valueRotation > 0) {
                Hadamard.rotateEach(att, qo, group * hd, valueRotation);
            }
        }
    }

    /** The gated activation of the first {@code n} values of {@code hb} (with {@code hb2}): across the pool where there are many. */
    private void gatedActivation(int n) {
        swiGluEnd = n;
        if (n <= SWIGLU_SLICE) {
            gatedActivation(0, 1, 0);
        } else {
            pool.run((n + SWIGLU_SLICE - 1) / SWIGLU_SLICE, 1, swiGluTask);
        }
    }

    /** The gated activation (SwiGLU, Gemma's GeGLU or gpt-oss's clamped SwiGLU) of slices {@code [from, to)} of the FFN activation. */
    private void gatedActivation(int from, int to, int worker) {
        if (c.architecture().gemmaBlock()) {
            Elementwise.geluGlu(hb, hb2, from * SWIGLU_SLICE, Math.min(swiGluEnd, to * SWIGLU_SLICE));
        } else if (c.architecture().oaiExperts()) {
            Elementwise.swiGluOai(hb, hb2, from * SWIGLU_SLICE, Math.min(swiGluEnd, to * SWIGLU_SLICE));
        } else {
            Elementwise.swiGlu(hb, hb2, from * SWIGLU_SLICE, Math.min(swiGluEnd, to * SWIGLU_SLICE));
        }
    }

    /** The residual stream into {@code xb}: RMS-normalised by {@code weight}, or as it is where the block has no such norm (OLMo 2). */
    private void normOrCopy(float[] weight, int tokens) {
        if (weight != null) {
            rmsNorm(x, weight, xb, tokens, c.dim());
        } else {
            System.arraycopy(x, 0, xb, 0, tokens * c.dim());
        }
    }

    /**
     * Rotates value pairs {@code (a, b)} of each head by the token's angles (a sliding-window layer's where {@code local}):
     * {@code (x[2f], x[2f+1])} or, for {@link Architecture.RopeStyle#HALVES}, {@code (x[f], x[f + headDim/2])}.
     */
    private void rope(float[] vec, int heads, int tokens, boolean local) {
        float[] cos = local ? localCos : this.cos;
        float[] sin = local ? localSin : this.sin;
        int hd = c.headDim();
        int half = invFreq.length; // ropeDims / 2: values past ropeDims pass unrotated
        int width = heads * hd;
        boolean halves = c.architecture().rope() == Architecture.RopeStyle.HALVES;
        int step = halves ? 1 : 2;   // from one pair's first value to the next pair's
        int partner = halves ? half : 1; // from a pair's first value to its second
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int base = t * width + h * hd;
                for (int f = 0; f < half; f++) {
                    float cs = cos[t * half + f];
                    float sn = sin[t * half + f];
                    int i = base + step * f;
                    float a = vec[i];
                    float b = vec[i + partner];
                    vec[i] = a * cs - b * sn;
                    vec[i + partner] = a * sn + b * cs;
                }
            }
        }
    }

    private void logits(List<SequenceChunk> chunks, float[][] result) {
        int dim = c.dim();
        int wanted = 0;
        int t = 0;
        for (SequenceChunk ch : chunks) {
            t += ch.tokens().length;
            if (ch.wantLogits()) {
                System.arraycopy(x, (t - 1) * dim, xb, wanted * dim, dim);
                wanted++;
            }
        }
        if (wanted == 0) {
            return;
        }
        if (logitScratch.length < wanted * c.vocabSize()) {
            logitScratch = new float[wanted * c.vocabSize()];
        }
        float[] logits = logitScratch;
        project(wanted, logits);
        int r = 0;
        for (int ci = 0; ci < chunks.size(); ci++) {
            if (chunks.get(ci).wantLogits()) {
                result[ci] = java.util.Arrays.copyOfRange(logits, r * c.vocabSize(), (r + 1) * c.vocabSize());
                r++;
            }
        }
    }

    /** The logits {@code [rows × vocab]} of the first {@code rows} rows of {@code xb}: output norm, projection, bias, scale. */
    private void project(int rows, float[] logits) {
        rmsNorm(xb, w.outputNorm(), xb, rows, c.dim());
        kernel.multiply(w.output(), xb, rows, logits);
        addBias(logits, w.outputBias(), rows);
        if (c.scales().logit() != 1) {
            Elementwise.scale(logits, 1 / c.scales().logit(), rows * c.vocabSize());
        }
        if (c.scales().logitCap() != 0) {
            Elementwise.softCap(logits, 0, rows * c.vocabSize(), 1, c.scales().logitCap());
        }
    }

    /** Rows of logits computed at a time when scoring a chunk's tokens; within the step's accounted logit scratch. */
    private static final int SCORE_ROWS = 16;

    /**
     * Fills the scores of the chunks that ask for them: each position's logits (in groups of {@link #SCORE_ROWS} rows, so
     * a long prompt never holds all its logits at once), reduced to the log-probability of the token that follows.
     */
    private void score(List<SequenceChunk> chunks) {
        int dim = c.dim();
        int vocab = c.vocabSize();
        int first = 0; // the chunk's first row in x
        for (SequenceChunk ch : chunks) {
            TokenScoring scoring = ch.scoring();
            int len = ch.tokens().length;
            if (scoring != null) {
                float[] row = new float[vocab];
                for (int from = 0; from < len; from += SCORE_ROWS) {
                    int rows = Math.min(SCORE_ROWS, len - from);
                    System.arraycopy(x, (first + from) * dim, xb, 0, rows * dim);
                    if (logitScratch.length < rows * vocab) {
                        logitScratch = new float[rows * vocab];
                    }
                    project(rows, logitScratch);
                    for (int r = 0; r < rows; r++) {
                        int j = from + r;
                        int target = scoring.target(ch.tokens(), j);
                        if (target >= 0) {
                            System.arraycopy(logitScratch, r * vocab, row, 0, vocab);
                            scoring.out()[j] = TokenLogprobs.of(row, target, scoring.alternatives());
                        }
                    }
                }
            }
            first += len;
        }
    }

    private void rmsNorm(float[] in, float[] weight, float[] out, int tokens, int dim) {
        for (int t = 0; t < tokens; t++) {
            Elementwise.rmsNorm(in, weight, out, t * dim, dim, c.rmsEps());
        }
    }
}
