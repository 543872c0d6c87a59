package dev.tangram.core.model;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The GPU-to-GPU link matrix of a node, indexed by the position of each GPU in the inventory. Symmetric;
 * the diagonal has no link (asking for it is an error).
 */
public final class LinkMatrix {
    private final Link[][] links;

    private LinkMatrix(Link[][] links) {
        this.links = links;
    }

    /** Builds a matrix of {@code size} GPUs, asking {@code linkOf} for each pair i &lt; j only. */
    public static LinkMatrix of(int size, BiFunction<Integer, Integer, Link> linkOf) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        Link[][] links = new Link[size][size];
        for (int i = 0; i < size; i++) {
            for (int j = i + 1; j < size; j++) {
                Link link = Objects.requireNonNull(linkOf.apply(i, j), "link " + i + "-" + j);
                links[i][j] = link;
                links[j][i] = link;
            }
        }
        return new LinkMatrix(links);
    }

    public static LinkMatrix empty() {
        return new LinkMatrix(new Link[0][0]);
    }

    public int size() {
        return links.length;
    }

    public Link link(int i, int j) {
        if (i == j) {
            throw new IllegalArgumentException("a GPU has no link to itself (" + i + ")");
        }
        Objects.checkIndex(i, links.length);
        Objects.checkIndex(j, links.length);
        return links[i][j];
    }

    /** A copy keeping only the GPUs at the given positions, in that order. */
    public LinkMatrix select(int[] positions) {
        return of(positions.length, (a, b) -> link(positions[a], positions[b]));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinkMatrix other && Arrays.deepEquals(links, other.links);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(links);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("LinkMatrix[");
        for (int i = 0; i < links.length; i++) {
            for (int j = 0; j < links.length; j++) {
                sb.append(i == j ? "X" : links[i][j].smiName()).append(j + 1 < links.length ? " " : "");
            }
            sb.append(i + 1 < links.length ? "; " : "");
        }
        return sb.append(']').toString();
    }
}
