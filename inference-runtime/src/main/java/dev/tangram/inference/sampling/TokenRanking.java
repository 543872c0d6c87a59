package dev.tangram.inference.sampling;

import java.util.Arrays;

/**
 * Token ranks as primitive keys: a token's key is a {@code long} whose ascending order is the tokens' order by logit,
 * largest first, and by lower id on a tie; so ranking is sorting {@code long}s, with no boxed comparator.
 */
final class TokenRanking {
    private TokenRanking() {
    }

    /** The rank key of token {@code id} with this logit. */
    static long key(float logit, int id) {
        int bits = Float.floatToRawIntBits(logit);
        int ascending = bits ^ ((bits >> 31) & 0x7fffffff); // ordered as the floats are
        return ((long) ~ascending << 32) | id; // complemented: the largest logit has the smallest key
    }

    static int id(long key) {
        return (int) key;
    }

    /**
     * The {@code k} best-ranked tokens of {@code logits}, best first, into {@code out}; answers {@code k}. {@code heap}
     * (at least {@code k} long) is scratch: a max-heap of the best keys so far, whose root is the worst of them.
     */
    static int topK(float[] logits, int k, long[] heap, int[] out) {
        int size = 0;
        for (int i = 0; i < logits.length; i++) {
            long key = key(logits[i], i);
            if (size < k) {
                heap[size] = key;
                up(heap, size++);
            } else if (key < heap[0]) {
                heap[0] = key;
                down(heap, 0, size);
            }
        }
        Arrays.sort(heap, 0, size);
        for (int j = 0; j < size; j++) {
            out[j] = id(heap[j]);
        }
        return size;
    }

    private static void up(long[] h, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (h[parent] >= h[i]) {
                return;
            }
            swap(h, parent, i);
            i = parent;
        }
    }

    private static void down(long[] h, int i, int size) {
        while (true) {
            int largest = i;
            int l = 2 * i + 1;
            int r = l + 1;
            if (l < size && h[l] > h[largest]) {
                largest = l;
            }
            if (r < size && h[r] > h[largest]) {
                largest = r;
            }
            if (largest == i) {
                return;
            }
            swap(h, i, largest);
            i = largest;
        }
    }

    private static void swap(long[] h, int a, int b) {
        long t = h[a];
        h[a] = h[b];
        h[b] = t;
    }
}
