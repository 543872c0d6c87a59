package dev.tangram.sim;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.tangram.core.names.TangramNames;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.PodDemand;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the Alibaba openb trace CSVs: nodes {@code sn,cpu_milli,memory_mib,gpu,model} and pods
 * {@code name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,...} (further columns ignored). A pod with one GPU and
 * {@code gpu_milli} below 1000 asks for that fraction of one GPU; otherwise it asks for {@code num_gpu} whole GPUs;
 * {@code gpu_spec} ("V100M16|V100M32") lists the models it accepts.
 */
public final class TraceReader {
    private static final CsvMapper CSV = new CsvMapper();
    /** Per-GPU memory of the trace's model codes, where known (from the trace publisher's simulator). */
    private static final Map<String, Long> GPU_MEMORY_MIB = Map.of("P4", 7611L, "T4", 15109L, "V100M16", 16160L, "P100", 16280L,
            "A10", 22731L, "V100M32", 32510L, "A100", 81251L);

    private TraceReader() {
    }

    public static List<SimNode> nodes(Path file) throws IOException {
        List<SimNode> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (Row row : rows(file, List.of("sn", "cpu_milli", "memory_mib", "gpu", "model"))) {
            String name = row.text("sn");
            if (!names.add(name)) {
                throw row.error("sn", "duplicate node name '" + name + "'");
            }
            int gpus = (int) row.number("gpu");
            String model = row.text("model");
            if (gpus > 0 && (model.isEmpty() || model.equals("nan"))) {
                throw row.error("model", "a node with GPUs needs a GPU model");
            }
            out.add(new SimNode(name, row.number("cpu_milli"), row.number("memory_mib"), gpus, gpus == 0 ? "" : model,
                    GPU_MEMORY_MIB.getOrDefault(model, 0L), List.of(), 1));
        }
        return out;
    }

    public static List<SimPod> pods(Path file) throws IOException {
        List<SimPod> out = new ArrayList<>();
        for (Row row : rows(file, List.of("name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"))) {
            String name = row.text("name");
            long cpu = row.number("cpu_milli");
            long mem = row.number("memory_mib");
            int numGpu = (int) row.number("num_gpu");
            int milli = (int) row.number("gpu_milli");
            String spec = row.optional("gpu_spec");
            Set<String> models = spec.isEmpty() || spec.equals("nan") ? Set.of()
                    : Set.copyOf(Arrays.stream(spec.split("\\|")).map(String::trim).filter(s -> !s.isEmpty()).toList());
            List<ContainerDemand> containers;
            long gpuMilli;
            if (numGpu == 0) {
                containers = List.of();
                gpuMilli = 0;
            } else if (milli < 1 || milli > 1000) {
                throw row.error("gpu_milli", "must be 1..1000 for a pod with GPUs, got " + milli);
            } else if (numGpu == 1 && milli < 1000) {
                containers = List.of(new ContainerDemand("main", TangramNames.RESOURCE_GPU, new GpuDemand.GpuFraction(milli)));
                gpuMilli = milli;
            } else if (milli == 1000) {
                containers = List.of(new ContainerDemand("main", TangramNames.RESOURCE_GPU, new GpuDemand.WholeGpus(numGpu)));
                gpuMilli = 1000L * numGpu;
            } else {
                throw row.error("gpu_milli", "a pod on " + numGpu + " GPUs takes them whole (1000), got " + milli);
            }
            out.add(new SimPod(name, new PodDemand(name, cpu, mem, containers, models), gpuMilli));
        }
        return out;
    }

    private static List<Row> rows(Path file, List<String> required) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        List<Row> rows = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file);
             MappingIterator<Map<String, String>> it = CSV.readerFor(Map.class).with(schema).readValues(in)) {
            int line = 1;
            while (it.hasNext()) {
                line++;
                Map<String, String> values = it.next();
                if (line == 2) {
                    for (String column : required) {
                        if (!values.containsKey(column)) {
                            throw new IOException(file + ": missing column '" + column + "' (header has " + values.keySet() + ")");
                        }
                    }
                }
                rows.add(new Row(file, line, values));
            }
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a CSV file as expected: " + e.getMessage(), e);
        }
        return rows;
    }

    private record Row(Path file, int line, Map<String, String> values) {
        String text(String column) {
            String v = values.get(column);
            if (v == null) {
                throw error(column, "missing value");
            }
            return v.trim();
        }

        String optional(String column) {
            String v = values.get(column);
            return v == null ? "" : v.trim();
        }

        long number(String column) {
            String v = text(column);
            try {
                long n = Long.parseLong(v);
                if (n < 0) {
                    throw error(column, "must not be negative, got " + v);
                }
                return n;
            } catch (NumberFormatException e) {
                throw error(column, "not a whole number: '" + v + "'");
            }
        }

        IllegalArgumentException error(String column, String why) {
            return new IllegalArgumentException(file + " line " + line + ", column " + column + ": " + why);
        }
    }
}
