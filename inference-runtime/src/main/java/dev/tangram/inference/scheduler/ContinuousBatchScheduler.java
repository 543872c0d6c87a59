package dev.tangram.inference.scheduler;

import dev.tangram.inference.kv.BlockAllocator;
import dev.tangram.inference.kv.BlockHash;
import dev.tangram.inference.kv.SequenceBlocks;
import dev.tangram.inference.model.ForwardPass;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.model.SequenceChunk;
import dev.tangram.inference.model.SlidingWindow;
import dev.tangram.inference.model.TokenScoring;
import dev.tangram.inference.sampling.TokenLogprobs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * Continuous batching over a paged KV cache. Each {@link #step()} picks the tokens of one forward pass: first the
 * running sequences, oldest first (one token per decoding sequence, a chunk of the prompt for one still in prefill),
 * then waiting requests while the per-step token budget, the running limit and the free blocks allow. Requests join and
 * leave the batch between steps. When a running sequence needs a block and none is left, the newest running sequence
 * is preempted: its blocks are released and it goes back to the head of the queue, to be recomputed (mostly from the
 * prefix cache) later.
 *
 * <p>Where the cache keeps its sliding-window layers in a pool of their own ({@link PagedKvCache#windowBlocks()}), each
 * sequence has a second block table for that pool. It holds only the blocks a window can still reach: after every step
 * the blocks behind the window of the sequence's next token are given back (to the prefix cache, where they are full),
 * and a prefix match takes the window pool's blocks of the last window before the match's end, shortening the match
 * where some of them were evicted.
 *
 * <p>{@link #submit} and {@link #cancel} may be called from any thread; everything else runs on the engine thread.
 */
public final class ContinuousBatchScheduler {
    private final ForwardPass model;
    private final PagedKvCache cache;
    /** The pool of the layers that keep every position (every layer, without a window pool). */
    private final BlockAllocator allocator;
    /** The sliding-window layers' pool, or null where they keep every position beside the others. */
    private final BlockAllocator windowAllocator;
    /** Where the sliding-window layers' queries look (where there is a window pool). */
    private final SlidingWindow window;
    private final SchedulerSettings settings;
    private final Function<GenerationRequest, TokenSampler> samplers;
    private final IntPredicate endOfGeneration;
    private final SchedulerMetrics metrics;

    private final ConcurrentLinkedQueue<Sequence> incoming = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> cancellations = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final Map<String, Sequence> byId = new HashMap<>();
    private volatile int runningCount;
    private volatile double cacheUsage;
    private long steps;
    private long preemptions;

    public ContinuousBatchScheduler(ForwardPass model, PagedKvCache cache, SchedulerSettings settings,
                                    Function<GenerationRequest, TokenSampler> samplers, IntPredicate endOfGeneration,
                                    SchedulerMetrics metrics) {
        this.model = model;
        this.cache = cache;
        this.allocator = new BlockAllocator(cache.numBlocks(), cache.blockSize());
        this.windowAllocator = cache.windowBlocks() > 0 ? new BlockAllocator(cache.windowBlocks(), cache.blockSize()) : null;
        this.window = cache.config().window();
        this.settings = settings;
        this.samplers = samplers;
        this.endOfGeneration = endOfGeneration;
        this.metrics = metrics;
    }

    public SchedulerSettings settings() {
        return settings;
    }

    /** Queues a request, or says why not. Thread-safe. */
    public Admission submit(GenerationRequest request) {
        int prompt = request.promptTokens().length;
        if (prompt >= settings.maxModelLen()) {
            return new Admission.Invalid("the prompt has " + prompt + " tokens; this model serves at most "
                    + settings.maxModelLen() + " tokens per sequence, so at most " + (settings.maxModelLen() - 1)
                    + " prompt tokens");
        }
        int longest = Math.min(prompt + request.maxTokens(), settings.maxModelLen());
        if (allocator.blocksFor(longest) > allocator.totalBlocks()) {
            return new Admission.Invalid("the request needs up to " + longest + " tokens of KV cache; the cache holds "
                    + (long) allocator.totalBlocks() * allocator.blockSize() + " tokens");
        }
        if (windowAllocator != null && windowPeak(longest) > windowAllocator.totalBlocks()) {
            return new Admission.Invalid("the request needs up to " + windowPeak(longest) + " blocks of the sliding-window layers' pool; "
                    + "it has " + windowAllocator.totalBlocks());
        }
        for (int t : request.promptTokens()) {
            if (t < 0 || t >= model.config().vocabSize()) {
                return new Admission.Invalid("token id " + t + " is outside the vocabulary (0.." + (model.config().vocabSize() - 1) + ")");
            }
        }
        int before = waitingCount.getAndIncrement();
        if (before >= settings.maxWaiting()) {
            waitingCount.decrementAndGet();
            return new Admission.Overloaded("the waiting queue is full (" + settings.maxWaiting() + " requests)");
        }
        incoming.add(new Sequence(request, samplers.apply(request), System.nanoTime()));
        return new Admission.Queued();
    }

    /** Asks for a request to stop; its blocks are released at the next step boundary. Thread-safe. */
    public void cancel(String requestId) {
        cancellations.add(requestId);
    }

    /** Whether a step would do anything (work queued, running or to cancel). Thread-safe. */
    public boolean hasWork() {
        return !incoming.isEmpty() || !cancellations.isEmpty() || runningCount > 0 || waitingCount.get() > 0;
    }

    public int runningRequests() {
        return runningCount;
    }

    public int waitingRequests() {
        return waitingCount.get();
    }

    /**
     * Fraction of the KV cache's memory held by sequences (0..1); cached but unreferenced blocks count as free. With a
     * window pool, both pools' blocks are weighed by the layers they hold.
     */
    public double cacheUsage() {
        return cacheUsage;
    }

    /** The allocator, for inspection (engine thread, or after the engine stopped). */
    public BlockAllocator allocator() {
        return allocator;
    }

    /** The sliding-window layers' allocator, where they have a pool of their own (for inspection, as {@link #allocator()}). */
    public Optional<BlockAllocator> windowAllocator() {
        return Optional.ofNullable(windowAllocator);
    }

    public long steps() {
        return steps;
    }

    public long preemptions() {
        return preemptions;
    }

    /** Runs one scheduling step and forward pass; answers the number of tokens pushed through the model. */
    public int step() {
        drainIncoming();
        drainCancellations();
        List<Scheduled> batch = schedule();
        if (batch.isEmpty()) {
            publishGauges();
            return 0;
        }
        List<SequenceChunk> chunks = new ArrayList<>(batch.size());
        for (Scheduled s : batch) {
            Sequence seq = s.sequence;
            int end = seq.computed + s.tokens;
            int[] toks = Arrays.copyOfRange(seq.tokens(), seq.computed, end);
            TokenScoring scoring = seq.scoresPrompt() ? new TokenScoring(seq.request.promptLogprobs(),
                    end < seq.length() ? seq.tokens()[end] : -1, new TokenLogprobs[s.tokens]) : null;
            chunks.add(new SequenceChunk(toks, seq.computed, seq.blocks.toArray(), end == seq.length(), scoring,
                    windowAllocator == null ? null : seq.windowBlocks.toArray()));
        }
        float[][] logits;
        try {
            logits = model.forward(chunks, cache);
        } catch (RuntimeException e) {
            for (Scheduled s : batch) {
                finish(s.sequence, FinishReason.ERROR, "the forward pass failed: " + e);
            }
            publishGauges();
            return 0;
        }
        steps++;
        int pushed = 0;
        long now = System.nanoTime();
        for (int i = 0; i < batch.size(); i++) {
            Scheduled s = batch.get(i);
            Sequence seq = s.sequence;
            pushed += s.tokens;
            keepScores(seq, chunks.get(i));
            seq.computed += s.tokens;
            registerFullBlocks(seq);
            if (windowAllocator != null) {
                seq.windowBlocks.giveBackBefore(windowStart(seq.computed), windowAllocator);
            }
            if (seq.computed == seq.length()) {
                if (seq.scoresPrompt()) {
                    seq.promptScored = true;
                    seq.request.sink().onPromptLogprobs(seq.promptScores);
                }
                emitNextToken(seq, logits[i], now);
            }
        }
        publishGauges();
        return pushed;
    }

    /** Keeps the scores a chunk of the prompt brought: position p's scores that of prompt token p + 1. */
    private static void keepScores(Sequence seq, SequenceChunk chunk) {
        if (chunk.scoring() == null) {
            return;
        }
        TokenLogprobs[] out = chunk.scoring().out();
        for (int j = 0; j < out.length; j++) {
            int next = chunk.startPosition() + j + 1;
            if (next < seq.promptScores.length) {
                seq.promptScores[next] = out[j];
            }
        }
    }

    /** Ends every request, queued or running, with an error (after an unexpected engine failure). */
    public void failAll(String reason) {
        drainIncoming();
        for (Sequence s : List.copyOf(byId.values())) {
            try {
                finish(s, FinishReason.ERROR, reason);
            } catch (RuntimeException e) {
                byId.remove(s.id());
            }
        }
        cancellations.clear();
        publishGauges();
    }

    private record Scheduled(Sequence sequence, int tokens) {
    }

    private void drainIncoming() {
        for (Sequence s; (s = incoming.poll()) != null; ) {
            waiting.addLast(s);
            byId.put(s.id(), s);
        }
    }

    private void drainCancellations() {
        for (String id; (id = cancellations.poll()) != null; ) {
            Sequence s = byId.get(id);
            if (s != null) {
                finish(s, FinishReason.CANCELLED, null);
            }
        }
    }

    private List<Scheduled> schedule() {
        List<Scheduled> batch = new ArrayList<>();
        int budget = settings.maxBatchTokens();
        boolean preempted = false;
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            int n = Math.min(s.uncomputed(), budget);
            boolean selfPreempted = false;
            while (!growTo(s, s.computed + n)) {
                Sequence victim = running.getLast();
                preempt(victim);
                preempted = true;
                if (victim == s) {
                    selfPreempted = true;
                    break;
                }
            }
            if (!selfPreempted) {
                batch.add(new Scheduled(s, n));
                budget -= n;
            }
        }
        while (!preempted && budget > 0 && running.size() < settings.maxRunning() && !waiting.isEmpty()) {
            Sequence s = waiting.peekFirst();
            int hits = matchPrefix(s);
            int n = Math.min(s.uncomputed(), budget);
            int needed = allocator.blocksFor(s.computed + n) - s.blocks.size();
            if (needed > allocator.availableBlocks() || windowNeeded(s, s.computed + n) > windowAvailable()
                    || nextBlockComingFromAnother(s)) {
                releaseAll(s);
                s.computed = 0;
                break;
            }
            growTo(s, s.computed + n);
            waiting.removeFirst();
            waitingCount.decrementAndGet();
            running.add(s);
            if (s.scheduledNanos == 0) {
                s.scheduledNanos = System.nanoTime();
            }
            s.cachedTokens = hits;
            metrics.prefixCache(s.length(), hits);
            if (s.preemptions == 0) {
                metrics.promptTokens(s.promptLength());
            }
            batch.add(new Scheduled(s, n));
            budget -= n;
        }
        return batch;
    }

    /**
     * Whether the next full block {@code s} would compute (the first its prefix match did not find) is one that a running
     * sequence with the same tokens up to there has still to compute. Then {@code s} waits: once the other has computed
     * the block it is in the prefix cache, and {@code s} takes it from there instead of computing it a second time. This
     * is what the choices of a request with {@code n > 1} and a burst of requests with one long system prompt have in
     * common; a request that shares nothing, or only blocks already cached, is admitted as before.
     */
    private boolean nextBlockComingFromAnother(Sequence s) {
        int bs = allocator.blockSize();
        int end = (s.blocks.size() + 1) * bs; // the end of the next block
        if (end > s.length() - 1 || s.scoresPrompt()) {
            return false; // the prefix match never takes the block of the last token, nor any for a prompt to score
        }
        for (Sequence r : running) {
            if (r.computed < end && r.length() >= end && Arrays.equals(r.tokens(), 0, end, s.tokens(), 0, end)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes the cached blocks of the sequence's leading full blocks (never its last token); answers the tokens found. A
     * sequence still to score its prompt takes none: a cached block's tokens would go unscored. With a window pool the
     * match ends where that pool holds every block the window of the next token reaches.
     */
    private int matchPrefix(Sequence s) {
        if (s.scoresPrompt()) {
            s.computed = 0;
            return 0;
        }
        int[] tokens = s.tokens();
        int bs = allocator.blockSize();
        int maxBlocks = (s.length() - 1) / bs;
        List<BlockHash> chain = new ArrayList<>();
        for (BlockHash h = BlockHash.ROOT; chain.size() < maxBlocks; chain.add(h)) {
            int i = chain.size();
            h = BlockHash.of(h, tokens, i * bs, (i + 1) * bs);
            if (!allocator.contains(h)) {
                break;
            }
        }
        int matched = chain.size();
        while (matched > 0 && !windowCached(chain, matched)) {
            matched--;
        }
        int reached = windowStart(matched * bs);
        for (int i = 0; i < matched; i++) {
            s.blocks.add(allocator.lookup(chain.get(i)).orElseThrow());
            s.blocks.addHash(chain.get(i));
            if (windowAllocator != null) {
                if (i < reached) {
                    s.windowBlocks.addNone();
                } else {
                    s.windowBlocks.add(windowAllocator.lookup(chain.get(i)).orElseThrow());
                }
            }
        }
        s.computed = matched * bs;
        return s.computed;
    }

    /** Whether the window pool caches every block the window of the token after the first {@code blocks} blocks reaches. */
    private boolean windowCached(List<BlockHash> chain, int blocks) {
        if (windowAllocator == null) {
            return true;
        }
        for (int i = windowStart(blocks * allocator.blockSize()); i < blocks; i++) {
            if (!windowAllocator.contains(chain.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The first block the window of a token at {@code position} reaches in a sliding-window layer. */
    private int windowStart(int position) {
        return window.firstInWindow(position) / allocator.blockSize();
    }

    /** Window pool blocks {@code s} takes to cover {@code tokens} positions, its next token at {@code s.computed}. */
    private int windowNeeded(Sequence s, int tokens) {
        if (windowAllocator == null) {
            return 0;
        }
        return Math.max(0, allocator.blocksFor(tokens) - Math.max(windowStart(s.computed), s.windowBlocks.size()));
    }

    private int windowAvailable() {
        return windowAllocator == null ? 0 : windowAllocator.availableBlocks();
    }

    /**
     * The most window pool blocks one sequence of up to {@code tokens} positions holds at once: the blocks a window
     * reaches, and those of a chunk of the step's token budget after it.
     */
    private int windowPeak(int tokens) {
        return window.peakBlocks(tokens, allocator.blockSize(), settings.maxBatchTokens());
    }

    /** Allocates blocks so the sequence covers {@code tokens} positions; false (nothing taken) when too few are left. */
    private boolean growTo(Sequence s, int tokens) {
        int needed = allocator.blocksFor(tokens) - s.blocks.size();
        if (needed > allocator.availableBlocks() || windowNeeded(s, tokens) > windowAvailable()) {
            return false;
        }
        for (int k = 0; k < needed; k++) {
            s.blocks.add(allocator.allocate().orElseThrow());
        }
        if (windowAllocator != null) {
            int start = windowStart(s.computed);
            while (s.windowBlocks.size() < allocator.blocksFor(tokens)) {
                if (s.windowBlocks.size() < start) {
                    s.windowBlocks.addNone();
                } else {
                    s.windowBlocks.add(windowAllocator.allocate().orElseThrow());
                }
            }
        }
        return true;
    }

    private void releaseAll(Sequence s) {
        s.blocks.releaseAll(allocator);
        if (windowAllocator != null) {
            s.windowBlocks.releaseAll(windowAllocator);
        }
    }

    private void preempt(Sequence s) {
        running.remove(s);
        releaseAll(s);
        s.computed = 0;
        s.preemptions++;
        preemptions++;
        waiting.addFirst(s);
        waitingCount.incrementAndGet();
        metrics.preemption();
    }

    private void registerFullBlocks(Sequence s) {
        int bs = allocator.blockSize();
        int full = s.computed / bs;
        for (int i = s.blocks.hashedBlocks(); i < full; i++) {
            BlockHash h = BlockHash.of(s.blocks.lastHash(), s.tokens(), i * bs, (i + 1) * bs);
            allocator.register(s.blocks.block(i), h);
            if (windowAllocator != null && s.windowBlocks.block(i) != SequenceBlocks.NONE) {
                windowAllocator.register(s.windowBlocks.block(i), h);
            }
            s.blocks.addHash(h);
        }
    }

    private void emitNextToken(Sequence s, float[] logits, long now) {
        int token = s.sampler.sample(logits);
        TokenLogprobs logprobs = s.request.logprobs() < 0 ? null : TokenLogprobs.of(logits, token, s.request.logprobs());
        s.append(token);
        metrics.generationTokens(1);
        if (s.firstTokenNanos == 0) {
            s.firstTokenNanos = now;
            metrics.timeToFirstToken((now - s.arrivalNanos) / 1e9);
        } else {
            metrics.interTokenLatency((now - s.lastTokenNanos) / 1e9);
        }
        s.lastTokenNanos = now;
        if (!s.request.ignoreEos() && endOfGeneration.test(token)) {
            finish(s, FinishReason.STOP, null);
            return;
        }
        s.request.sink().onToken(token, logprobs);
        if (s.generated() >= s.request.maxTokens() || s.length() >= settings.maxModelLen()) {
            finish(s, FinishReason.LENGTH, null);
        }
    }

    private void finish(Sequence s, FinishReason reason, String error) {
        if (byId.remove(s.id()) == null) {
            return;
        }
        if (running.remove(s)) {
            releaseAll(s);
        } else if (waiting.remove(s)) {
            releaseAll(s);
            waitingCount.decrementAndGet();
        }
        metrics.requestFinished(finished(s, reason, System.nanoTime()));
        s.request.sink().onFinish(new Completion(reason, s.promptLength(), s.generated(), s.cachedTokens, s.preemptions, error));
    }

    /** The request's account for the metrics: its phases end where the next begins, or now where it never got there. */
    private static FinishedRequest finished(Sequence s, FinishReason reason, long now) {
        long scheduled = s.scheduledNanos == 0 ? now : s.scheduledNanos;
        long firstToken = s.firstTokenNanos == 0 ? now : s.firstTokenNanos;
        return new FinishedRequest(reason, (now - s.arrivalNanos) / 1e9, (scheduled - s.arrivalNanos) / 1e9, (firstToken - scheduled) / 1e9,
                (now - firstToken) / 1e9, s.promptLength(), s.generated(), s.request.maxTokens());
    }

    private void publishGauges() {
        runningCount = running.size();
        if (windowAllocator == null) {
            cacheUsage = (double) allocator.usedBlocks() / allocator.totalBlocks();
        } else {
            long windowed = cache.windowedLayers();
            long others = cache.config().layers() - windowed;
            cacheUsage = (double) (allocator.usedBlocks() * others + windowAllocator.usedBlocks() * windowed)
                    / (allocator.totalBlocks() * others + windowAllocator.totalBlocks() * windowed);
        }
    }
}
