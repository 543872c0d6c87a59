package dev.tangram.inference.scheduler;

import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.sampling.LogitRules;
import dev.tangram.inference.sampling.SamplingParams;
import dev.tangram.inference.sampling.TokenLogprobs;
import dev.tangram.inference.testing.FakeTokenizer;
import dev.tangram.inference.testing.HistoryForwardPass;
import dev.tangram.inference.testing.RecordingSink;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.tangram.inference.scheduler.SchedulerDriving.drain;
import static dev.tangram.inference.scheduler.SchedulerDriving.prompt;
import static dev.tangram.inference.scheduler.SchedulerDriving.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ContinuousBatchSchedulerTest {
    private static final int BLOCK = 4;

    private static ContinuousBatchScheduler scheduler(int blocks, int batchTokens, int maxRunning, int maxWaiting) {
        HistoryForwardPass model = new HistoryForwardPass();
        return SchedulerDriving.scheduler(model, new PagedKvCache(model.config(), blocks, BLOCK),
                new SchedulerSettings(batchTokens, maxRunning, maxWaiting, model.config().contextLength()));
    }

    private static List<Integer> alone(int[] prompt, int maxTokens) {
        ContinuousBatchScheduler s = scheduler(256, 512, 8, 8);
        RecordingSink sink = submit(s, "alone", prompt, maxTokens);
        drain(s);
        return sink.tokens();
    }

    @Test
    void logprobsComeWithEachTokenFromTheModelsLogitsBeforeTheBias() {
        ContinuousBatchScheduler s = scheduler(64, 64, 4, 4);
        int[] prompt = prompt(new Random(5), 7);
        RecordingSink plain = new RecordingSink();
        RecordingSink logged = new RecordingSink();
        RecordingSink biased = new RecordingSink();
        s.submit(new GenerationRequest("plain", prompt, 5, SamplingParams.GREEDY, plain, true, -1, -1));
        s.submit(new GenerationRequest("logged", prompt, 5, SamplingParams.GREEDY, logged, true, 3, -1));
        SamplingParams alwaysSeven = new SamplingParams(0f, 0, 1f, 0L, new LogitRules(0, 0, 1, Map.of(7, 100f), 0));
        s.submit(new GenerationRequest("biased", prompt, 5, alwaysSeven, biased, true, 0, -1));
        drain(s);
        assertThat(plain.logprobs()).hasSize(5).containsOnlyNulls();
        assertThat(logged.tokens()).isEqualTo(plain.tokens());
        List<TokenLogprobs> lp = logged.logprobs();
        for (int i = 0; i < 5; i++) {
            assertThat(lp.get(i).token()).isEqualTo(logged.tokens().get(i));
            assertThat(lp.get(i).top()).hasSize(3).startsWith(logged.tokens().get(i)); // greedy draws the likeliest
            assertThat(lp.get(i).logprob()).isEqualTo(lp.get(i).topLogprobs()[0]).isNegative();
        }
        // the bias decides the draw, not the reported probability: the model's own logits are in [0, 1) over 38 tokens
        assertThat(biased.tokens()).containsOnly(7);
        for (TokenLogprobs b : biased.logprobs()) {
            assertThat(b.top()).isEmpty();
            assertThat(b.logprob()).isBetween((float) (-1 - Math.log(FakeTokenizer.VOCAB)), (float) (1 - Math.log(FakeTokenizer.VOCAB)));
        }
    }

    @Test
    void promptLogprobsScoreEveryPromptTokenOnceEvenWhereThePromptIsCachedOrChunked() {
        int[] prompt = prompt(new Random(12), 23);
        // what the model gives token p after the tokens before it, each prefix run on its own
        HistoryForwardPass reference = new HistoryForwardPass();
        float[][] expected = new float[prompt.length][];
        for (int p = 1; p < prompt.length; p++) {
            float[] logits = reference.forward(List.of(new dev.tangram.inference.model.SequenceChunk(java.util.Arrays.copyOf(prompt, p), 0,
                    new int[] {0, 1, 2, 3, 4, 5}, true)), new PagedKvCache(reference.config(), 8, BLOCK))[0];
            TokenLogprobs lp = TokenLogprobs.of(logits, prompt[p], 2);
            expected[p] = new float[] {lp.logprob(), lp.top()[0], lp.topLogprobs()[0]};
        }
        ContinuousBatchScheduler s = scheduler(64, 8, 4, 4); // prompts go through in chunks of up to 8 tokens
        RecordingSink plain = submit(s, "caches the prompt", prompt, 3);
        drain(s);
        RecordingSink scored = new RecordingSink();
        s.submit(new GenerationRequest("scored", prompt, 3, SamplingParams.GREEDY, scored, false, -1, 2));
        drain(s);
        assertThat(plain.promptLogprobs()).isNull();
        assertThat(scored.completion().cachedTokens()).isZero(); // a cached block's tokens would have no scores
        assertThat(scored.tokens()).isEqualTo(plain.tokens());
        assertThat(scored.promptLogprobsBeforeTokens()).isTrue();
        TokenLogprobs[] got = scored.promptLogprobs();
        assertThat(got).hasSize(prompt.length);
        assertThat(got[0]).isNull();
        for (int p = 1; p < prompt.length; p++) {
            assertThat(got[p].token()).isEqualTo(prompt[p]);
            assertThat(new float[] {got[p].logprob(), got[p].top()[0], got[p].topLogprobs()[0]}).as("position " + p).containsExactly(expected[p]);
        }
        assertThat(scored.logprobs()).containsOnlyNulls(); // the generated tokens' were not asked for
    }

    @Test
    void aFinishedRequestsTimeSplitsIntoQueuePrefillAndDecode() {
        List<FinishedRequest> finished = new ArrayList<>();
        HistoryForwardPass model = new HistoryForwardPass();
        ContinuousBatchScheduler s = new ContinuousBatchScheduler(model, new PagedKvCache(model.config(), 64, BLOCK),
                new SchedulerSettings(64, 1, 4, model.config().contextLength()), TokenSampler.perRequest(new FakeTokenizer()),
                t -> false, new SchedulerMetrics() {
                    @Override
                    public void requestFinished(FinishedRequest r) {
                        finished.add(r);
                    }
                });
        submit(s, "runs", prompt(new Random(1), 9), 6);
        submit(s, "waits", prompt(new Random(2), 5), 3); // one running slot: it waits for the first
        s.step();
        s.cancel("waits");
        drain(s);
        assertThat(finished).extracting(FinishedRequest::reason).containsExactlyInAnyOrder(FinishReason.CANCELLED, FinishReason.LENGTH);
        for (FinishedRequest r : finished) {
            assertThat(r.queueSeconds() + r.prefillSeconds() + r.decodeSeconds()).isCloseTo(r.e2eSeconds(), within(1e-6));
            assertThat(r.inferenceSeconds()).isEqualTo(r.prefillSeconds() + r.decodeSeconds());
            if (r.reason() == FinishReason.CANCELLED) { // never ran: all of its time was in the queue
                assertThat(r.prefillSeconds()).isZero();
                assertThat(r.decodeSeconds()).isZero();
                assertThat(r.promptTokens()).isEqualTo(5);
                assertThat(r.generationTokens()).isZero();
            } else {
                assertThat(r.prefillSeconds()).isPositive();
                assertThat(r.decodeSeconds()).isPositive();
                assertThat(r.generationTokens()).isEqualTo(6);
                assertThat(r.maxTokens()).isEqualTo(6);
            }
        }
    }

    @Test
    void aRequestIgnoringEosGeneratesUpToMaxTokensPastTheEndOfGenerationToken() {
        HistoryForwardPass model = new HistoryForwardPass();
        // every token counts as the end of generation
        ContinuousBatchScheduler s = new ContinuousBatchScheduler(model, new PagedKvCache(model.config(), 64, BLOCK),
                new SchedulerSettings(64, 4, 4, model.config().contextLength()), TokenSampler.perRequest(new FakeTokenizer()),
                token -> true, SchedulerMetrics.NONE);
        RecordingSink ending = new RecordingSink();
        RecordingSink ignoring = new RecordingSink();
        int[] prompt = prompt(new Random(3), 9);
        s.submit(new GenerationRequest("ends", prompt, 10, SamplingParams.GREEDY, ending));
        s.submit(new GenerationRequest("ignores", prompt, 10, SamplingParams.GREEDY, ignoring, true, -1, -1));
        drain(s);
        assertThat(ending.completion().reason()).isEqualTo(FinishReason.STOP);
        assertThat(ending.tokens()).isEmpty();
        assertThat(ignoring.completion().reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(ignoring.tokens()).hasSize(10);
        assertThat(s.allocator().usedBlocks()).isZero();
    }

    @Test
    void greedyTokensOfABatchEqualThoseOfEachRequestRunAlone() {
        Random rnd = new Random(7);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            prompts.add(prompt(rnd, 1 + rnd.nextInt(30)));
        }
        ContinuousBatchScheduler batch = scheduler(256, 16, 8, 16);
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            sinks.add(submit(batch, "r" + i, prompts.get(i), 24));
            batch.step();
        }
        drain(batch);
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(sinks.get(i).tokens()).as("request %d", i).isEqualTo(alone(prompts.get(i), 24));
            assertThat(sinks.get(i).completion().reason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
        }
        assertThat(batch.allocator().usedBlocks()).isZero();
    }

    @Test
    void preemptionByRecomputeKeepsGreedyTokensUnchanged() {
        Random rnd = new Random(11);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            prompts.add(prompt(rnd, 10 + rnd.nextInt(10)));
        }
        ContinuousBatchScheduler tight = scheduler(14, 32, 6, 16);
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            sinks.add(submit(tight, "r" + i, prompts.get(i), 30));
        }
        drain(tight);
        assertThat(tight.preemptions()).isPositive();
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(sinks.get(i).tokens()).as("request %d", i).isEqualTo(alone(prompts.get(i), 30));
        }
        assertThat(tight.allocator().usedBlocks()).isZero();
    }

    @Test
    void aPrefixCacheHitProducesIdenticalTokens() {
        Random rnd = new Random(3);
        int[] shared = prompt(rnd, 21);
        ContinuousBatchScheduler s = scheduler(64, 64, 4, 4);
        RecordingSink first = submit(s, "first", shared, 12);
        drain(s);
        RecordingSink second = submit(s, "second", shared, 12);
        drain(s);
        assertThat(first.completion().cachedTokens()).isZero();
        assertThat(second.completion().cachedTokens()).isEqualTo(20);
        assertThat(second.tokens()).isEqualTo(first.tokens()).isEqualTo(alone(shared, 12));

        int[] extended = java.util.Arrays.copyOf(shared, 30);
        for (int i = 21; i < 30; i++) {
            extended[i] = 5;
        }
        RecordingSink third = submit(s, "third", extended, 12);
        drain(s);
        assertThat(third.completion().cachedTokens()).isEqualTo(20);
        assertThat(third.tokens()).isEqualTo(alone(extended, 12));
    }

    @Test
    void requestsArrivingTogetherWithOnePromptComputeItOnceAndShareItsBlocks() {
        Random rnd = new Random(8);
        int[] shared = prompt(rnd, 41); // ten full blocks of 4, and the last token
        int[] sameStart = java.util.Arrays.copyOf(shared, 45);
        for (int i = 24; i < 45; i++) {
            sameStart[i] = 7; // the first six blocks as the others, then its own
        }
        ContinuousBatchScheduler s = scheduler(128, 16, 8, 8); // prefill in chunks of up to 16 tokens
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sinks.add(submit(s, "choice-" + i, shared, 6));
        }
        RecordingSink other = submit(s, "other", sameStart, 6);
        long pushed = 0;
        while (s.hasWork()) {
            pushed += s.step();
        }
        // one computes 41 prompt tokens; the others find 40 cached and compute the last; "other" computes its 21 own
        assertThat(sinks).extracting(r -> r.completion().cachedTokens()).containsExactly(0, 40, 40);
        assertThat(other.completion().cachedTokens()).isEqualTo(24);
        long decodes = 0; // every generated token but the last goes through the model once
        for (RecordingSink r : List.of(sinks.get(0), sinks.get(1), sinks.get(2), other)) {
            decodes += r.completion().completionTokens() - 1;
        }
        assertThat(pushed).isEqualTo(41 + 1 + 1 + 21 + decodes);
        for (RecordingSink r : sinks) {
            assertThat(r.tokens()).isEqualTo(alone(shared, 6));
        }
        assertThat(other.tokens()).isEqualTo(alone(sameStart, 6));
        assertThat(s.allocator().usedBlocks()).isZero();
    }

    @Test
    void chunkedPrefillLetsRunningDecodesAdvanceEveryStep() {
        Random rnd = new Random(5);
        ContinuousBatchScheduler s = scheduler(128, 8, 4, 4);
        RecordingSink decoding = submit(s, "short", new int[]{3, 4, 5}, 400);
        s.step();
        assertThat(decoding.tokens()).hasSize(1);
        RecordingSink longPrompt = submit(s, "long", prompt(rnd, 100), 4);
        int steps = 0;
        while (longPrompt.tokens().isEmpty() && !longPrompt.finished()) {
            int before = decoding.tokens().size();
            assertThat(s.step()).isLessThanOrEqualTo(8);
            steps++;
            if (!decoding.finished()) {
                assertThat(decoding.tokens()).as("the decode advanced in step %d", steps).hasSize(before + 1);
            }
        }
        assertThat(steps).isGreaterThanOrEqualTo(100 / 7);
    }

    @Test
    void cancellingReleasesTheBlocksAtTheNextStep() {
        ContinuousBatchScheduler s = scheduler(64, 64, 4, 4);
        RecordingSink sink = submit(s, "gone", prompt(new Random(1), 30), 200);
        s.step();
        assertThat(s.allocator().usedBlocks()).isPositive();
        s.cancel("gone");
        s.step();
        assertThat(s.allocator().usedBlocks()).isZero();
        assertThat(sink.completion().reason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(s.hasWork()).isFalse();
    }

    @Test
    void refusesRequestsBeyondTheWaitingQueue() {
        ContinuousBatchScheduler s = scheduler(64, 64, 4, 2);
        submit(s, "a", new int[]{2}, 4);
        submit(s, "b", new int[]{2}, 4);
        Admission third = s.submit(new GenerationRequest("c", new int[]{2}, 4, SamplingParams.GREEDY, new RecordingSink()));
        assertThat(third).isInstanceOf(Admission.Overloaded.class);
        s.step();
        assertThat(s.submit(new GenerationRequest("d", new int[]{2}, 4, SamplingParams.GREEDY, new RecordingSink())))
                .isInstanceOf(Admission.Queued.class);
    }

    @Test
    void refusesAPromptThatFillsTheContext() {
        ContinuousBatchScheduler s = scheduler(256, 64, 4, 2);
        Admission a = s.submit(new GenerationRequest("x", new int[512], 4, SamplingParams.GREEDY, new RecordingSink()));
        assertThat(a).isInstanceOfSatisfying(Admission.Invalid.class, i -> assertThat(i.reason()).contains("512 tokens"));
    }

    @Test
    void refusesARequestLargerThanTheWholeCache() {
        ContinuousBatchScheduler s = scheduler(4, 64, 4, 2);
        Admission a = s.submit(new GenerationRequest("x", new int[10], 40, SamplingParams.GREEDY, new RecordingSink()));
        assertThat(a).isInstanceOfSatisfying(Admission.Invalid.class, i -> assertThat(i.reason()).contains("holds 16 tokens"));
    }

    @Test
    void stopsAtMaxTokensWithReasonLength() {
        ContinuousBatchScheduler s = scheduler(64, 64, 4, 4);
        RecordingSink sink = submit(s, "a", new int[]{7, 8, 9}, 1);
        drain(s);
        assertThat(sink.completion().completionTokens()).isEqualTo(1);
        assertThat(sink.completion().reason()).isIn(FinishReason.LENGTH, FinishReason.STOP);
    }
}
