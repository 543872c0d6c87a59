package dev.tangram.inference.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.model.LoadedModel;
import dev.tangram.inference.model.ModelLoader;
import dev.tangram.inference.randommodel.QuantMix;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import dev.tangram.inference.testing.PromptLogits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Split models against another writer of them: gguf-py's {@code GGUFWriter} with {@code split_max_tensors} (what llama.cpp's
 * {@code convert_hf_to_gguf.py --split-max-tensors} writes with) splits a generated model, and Tangram must write the same
 * files byte for byte and load gguf-py's split to the whole file's logits. Needs a Python with the {@code gguf} package,
 * the one {@code TANGRAM_TRANSFORMERS_PYTHON} names ({@link TransformersReferenceIT}); skipped without it.
 */
class GgufPySplitIT {
    @TempDir
    Path dir;

    @Test
    void ggufPysSplitIsTangramsAndLoadsAsTheWholeFile() throws Exception {
        String python = PythonScript.interpreter("TANGRAM_TRANSFORMERS_PYTHON", "the gguf package to compare splits with gguf-py's");
        RandomModelSpec spec = RandomModelSpec.tiny(GgmlType.Q8_0);
        Path whole = dir.resolve("whole.gguf");
        RandomModelWriter.write(spec, whole);
        List<Path> ours = RandomModelWriter.writeSplit(spec, QuantMix.uniform(GgmlType.Q8_0), 0, dir.resolve("ours"), 7);
        Path script = PythonScript.copy(dir, "gguf_py_split.py");
        NodeLlamaCpp.Result result = NodeLlamaCpp.run(dir, 120, python, script.toString(), whole.toString(),
                dir.resolve("theirs.gguf").toString(), "7");
        assertThat(result.code()).as(result.output()).isZero();
        List<Path> theirs = result.output().lines().filter(l -> l.startsWith("FILE ")).map(l -> Path.of(l.substring(5))).toList();
        assertThat(theirs).containsExactly(dir.resolve("theirs-00001-of-00003.gguf"), dir.resolve("theirs-00002-of-00003.gguf"),
                dir.resolve("theirs-00003-of-00003.gguf"));
        for (int i = 0; i < theirs.size(); i++) {
            assertThat(Files.mismatch(ours.get(i), theirs.get(i))).as("file %d: the first byte that differs", i + 1).isEqualTo(-1);
        }
        int[] prompt = {1, 40, 200, 9, 311, 77};
        try (LoadedModel w = ModelLoader.load(whole, 1); LoadedModel s = ModelLoader.load(theirs.getFirst(), 1)) {
            assertThat(s.file().paths()).isEqualTo(theirs);
            assertThat(PromptLogits.of(s, prompt)).containsExactly(PromptLogits.of(w, prompt));
        }
    }
}
