package dev.tangram.inference.model;

/**
 * How a model's RoPE angles depart from {@code position · theta^(-2i/dims)}, as llama.cpp's RoPE scaling applies them.
 * Pair {@code i}'s angle is {@code position · theta^(-2i/dims) ÷ factor_i · (s · (1 - r_i) + r_i)}, its rotated values
 * times {@link #magnitude(float) a magnitude}, where {@code s} is the layer's position scale and {@code r_i} YaRN's ramp
 * (0 for every pair without YaRN, so that linear scaling is {@code s} alone).
 *
 * @param positionScale   llama.cpp's {@code freq_scale}: 1 / {@code <arch>.rope.scaling.factor} for linear scaling and
 *                        YaRN, 1 without
 * @param attentionFactor {@code <arch>.rope.scaling.attn_factor}, 1 where absent: llama.cpp multiplies every layer's
 *                        rotated values by it (Phi-3's LongRoPE files carry one; none of the others' converters write it)
 * @param yarn            YaRN's ramp between the scaled and the original frequencies, or {@link Yarn#NONE}
 */
public record RopeScaling(float positionScale, float attentionFactor, Yarn yarn) {
    /** Plain RoPE. */
    public static final RopeScaling NONE = linear(1f);

    public RopeScaling {
        if (!(positionScale > 0 && Float.isFinite(positionScale))) {
            throw new IllegalArgumentException("the RoPE position scale must be positive and finite: " + positionScale);
        }
        if (!(attentionFactor > 0 && Float.isFinite(attentionFactor))) {
            throw new IllegalArgumentException("the RoPE attention factor must be positive and finite: " + attentionFactor);
        }
        if (yarn.present() && positionScale > 1) {
            throw new IllegalArgumentException("YaRN extends a context: its factor must be at least 1, not " + 1 / positionScale);
        }
    }

    /** Positions multiplied by {@code positionScale}, nothing else. */
    public static RopeScaling linear(float positionScale) {
        return new RopeScaling(positionScale, 1f, Yarn.NONE);
    }

    /**
     * YaRN (Peng et al., 2023) as llama.cpp computes it (its {@code ext_factor} 1, as for every file whose
     * {@code rope.scaling.type} is {@code yarn}): pairs that turn more than {@code betaFast} times over the original
     * context keep their frequency, pairs that turn fewer than {@code betaSlow} times are scaled like linear scaling, and
     * the pairs between mix the two along a linear ramp; the rotated values grow by {@code 1 + 0.1 · ln(1/s)}.
     *
     * @param originalContext the context the model was trained with before its extension
     *                        ({@code <arch>.rope.scaling.original_context_length}; its {@code context_length} where
     *                        absent); 0 for no YaRN
     * @param betaFast        rotations above which a pair keeps its frequency (llama.cpp's 32, but where a Mistral 3 file
     *                        names its own: {@code rope.scaling.yarn_beta_fast})
     * @param betaSlow        rotations below which a pair is scaled (llama.cpp's 1, {@code rope.scaling.yarn_beta_slow})
     * @param logMultiplier   Mistral 3's {@code rope.scaling.yarn_log_multiplier} (the Hugging Face config's
     *                        {@code mscale_all_dim}), 0 where absent: the growth of the rotated values becomes
     *                        {@code (1 + 0.1 · ln f) / (1 + 0.1 · m · ln f)}, as llama.cpp takes it
     */
    public record Yarn(int originalContext, float betaFast, float betaSlow, float logMultiplier) {
        public static final Yarn NONE = new Yarn(0, 32f, 1f, 0f);

        public Yarn {
            if (originalContext < 0 || !(betaFast > betaSlow && betaSlow > 0) || !(logMultiplier >= 0 && Float.isFinite(logMultiplier))) {
                throw new IllegalArgumentException("YaRN needs an original context of at least 0, rotations fast > slow > 0 and a log "
                        + "multiplier of at least 0: " + originalContext + ", " + betaFast + ", " + betaSlow + ", " + logMultiplier);
            }
        }

        /** YaRN over a model first trained with {@code originalContext} positions, with llama.cpp's rotation bounds. */
        public static Yarn of(int originalContext) {
            return new Yarn(originalContext, NONE.betaFast, NONE.betaSlow, 0f);
        }

        public boolean present() {
            return originalContext > 0;
        }

        /**
         * Pair {@code pair}'s share of its original frequency, of {@code dims} rotated values with base {@code theta}: 1
         * for the pairs up to the one that turns {@code betaFast} times over the original context, falling linearly to 0 at
         * the one that turns {@code betaSlow} times (the pair indices rounded outwards, as llama.cpp rounds them).
         */
        public double ramp(int pair, int dims, double theta) {
            if (!present()) {
                return 0;
            }
            double low = Math.max(0, Math.floor(pairTurning(betaFast, dims, theta)));
            double high = Math.min(dims - 1, Math.ceil(pairTurning(betaSlow, dims, theta)));
            double y = (pair - low) / Math.max(0.001, high - low);
            return 1 - Math.min(1, Math.max(0, y));
        }

        /** The (fractional) pair whose frequency turns {@code rotations} times over the original context. */
        private float pairTurning(double rotations, int dims, double theta) {
            return (float) (dims * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(theta)));
        }
    }

    /**
     * Each of {@code dims / 2} pairs' angle per position, in a layer with base {@code theta} and position scale
     * {@code layerScale} (a sliding-window layer's may differ from the model's), each divided by the pair's factor where
     * {@code factors} is not null.
     */
    public float[] inverseFrequencies(int dims, float theta, float layerScale, float[] factors) {
        float[] out = new float[dims / 2];
        for (int i = 0; i < out.length; i++) {
            double original = Math.pow(theta, -2.0 * i / dims) / (factors == null ? 1 : factors[i]);
            double r = yarn.ramp(i, dims, theta);
            out[i] = (float) (original * (layerScale * (1 - r) + r));
        }
        return out;
    }

    /**
     * What a layer with position scale {@code layerScale} multiplies its rotated values by: the attention factor, and
     * with YaRN also {@code 1 + 0.1 · ln(1/layerScale)}, as llama.cpp's (its {@code get_mscale} of the model's factor,
     * which it divides by the same figure, cancels out for the factors of at least 1 that Tangram reads); with a log
     * multiplier {@code m}, that divided by {@code 1 + 0.1 · m · ln f} of the model's factor {@code f} (llama.cpp's
     * {@code get_mscale(f, 1) / get_mscale(f, m)}, whose numerator cancels the same way).
     */
    public double magnitude(float layerScale) {
        if (!yarn.present()) {
            return attentionFactor;
        }
        double m = attentionFactor * growth(1.0 / layerScale, 1);
        return yarn.logMultiplier() == 0 ? m : m / growth(1.0 / positionScale, yarn.logMultiplier());
    }

    /** llama.cpp's {@code get_mscale}: {@code 1 + 0.1 · m · ln(factor)}, 1 for a factor of at most 1. */
    private static double growth(double factor, double m) {
        return factor <= 1 ? 1 : 1 + 0.1 * m * Math.log(factor);
    }
}
