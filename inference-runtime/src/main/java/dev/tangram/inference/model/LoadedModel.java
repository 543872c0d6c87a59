package dev.tangram.inference.model;

import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.kernels.ReadAheadCalibration;
import dev.tangram.inference.kernels.WeightLayout;
import dev.tangram.inference.kernels.WorkerPool;
import dev.tangram.inference.tokenizer.Tokenizer;
import java.lang.foreign.Arena;
import java.util.Optional;

/**
 * A model ready to run: its shape, tokenizer and forward pass, over a memory-mapped GGUF file. Close it to stop the kernel
 * threads, free the rearranged matrices and unmap the file.
 *
 * @param name         {@code general.name}, or the file name without extension
 * @param config       the model's shape
 * @param tokenizer    the vocabulary's tokenizer
 * @param forwardPass  the batched forward pass
 * @param weights      the weights the forward pass computes with (rearranged, with {@link WeightLayout#LANES})
 * @param chatTemplate {@code tokenizer.chat_template}, when the file has one
 * @param readAhead    the one-token kernels' read-ahead distance, and how it was chosen
 * @param layout       how the matrices are held, such as "lanes: 113 of 113 matrices rearranged (1258.6 MiB in 0.9 s)"
 * @param rearranged   the memory of the rearranged matrices ({@link WeightLayout#LANES}), freed on close
 */
public record LoadedModel(String name, LlamaConfig config, Tokenizer tokenizer, ForwardPass forwardPass, LlamaWeights weights,
                          Optional<String> chatTemplate, ReadAheadCalibration.Choice readAhead, String layout, GgufFile file, WorkerPool pool,
                          Arena rearranged) implements AutoCloseable {
    /** Bytes the weights take ({@link LlamaWeights#bytes}). */
    public long weightBytes() {
        return weights.bytes();
    }

    @Override
    public void close() {
        pool.close();
        rearranged.close();
        file.close();
    }
}
