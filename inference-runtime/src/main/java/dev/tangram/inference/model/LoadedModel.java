package dev.tangram.inference.model;

import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.kernels.ReadAheadCalibration;
import dev.tangram.inference.kernels.WorkerPool;
import dev.tangram.inference.tokenizer.Tokenizer;
import java.util.Optional;

/**
 * A model ready to run: its shape, tokenizer and forward pass, over a memory-mapped GGUF file. Close it to unmap the
 * file and stop the kernel threads.
 *
 * @param name         {@code general.name}, or the file name without extension
 * @param config       the model's shape
 * @param tokenizer    the vocabulary's tokenizer
 * @param forwardPass  the batched forward pass
 * @param weightBytes  bytes the weights take
 * @param chatTemplate {@code tokenizer.chat_template}, when the file has one
 * @param readAhead    the one-token kernels' read-ahead distance, and how it was chosen
 */
public record LoadedModel(String name, LlamaConfig config, Tokenizer tokenizer, ForwardPass forwardPass, long weightBytes,
                          Optional<String> chatTemplate, ReadAheadCalibration.Choice readAhead, GgufFile file, WorkerPool pool) implements AutoCloseable {
    @Override
    public void close() {
        pool.close();
        file.close();
    }
}
