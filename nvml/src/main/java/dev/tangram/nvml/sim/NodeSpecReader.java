package dev.tangram.nvml.sim;

import dev.tangram.core.model.ComputeCapability;
import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.MigProfile;
import dev.tangram.core.model.MigProfileCatalog;
import dev.tangram.core.model.PcieRelation;
import dev.tangram.core.probe.GpuMetrics;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a node description (YAML, see {@code docs/node-spec.md}) into a {@link NodeSpec}. Every problem is a
 * {@link NodeSpecException} naming the file, the line and the field; unknown fields are errors too.
 */
public final class NodeSpecReader {
    /** NVLinks one GPU can have (NVML_NVLINK_MAX_LINKS). */
    public static final int MAX_NVLINKS_PER_GPU = 18;

    private static final Pattern PCI_BUS_ID = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
    private static final Pattern CUDA_VERSION = Pattern.compile("\\d+\\.\\d+");
    private static final Pattern ARCHITECTURE = Pattern.compile("[a-z][a-z0-9-]*");

    private static final Set<String> ROOT_FIELDS = Set.of("node", "driver", "cuda", "defaults", "gpus", "links");
    private static final Set<String> DEFAULT_FIELDS = Set.of("product", "architecture", "computeCapability", "memoryMib", "metrics");
    private static final Set<String> GPU_FIELDS = Set.of("index", "minor", "product", "architecture", "computeCapability", "memoryMib",
            "pciBusId", "numa", "lost", "mig", "metrics");
    private static final Set<String> MIG_FIELDS = Set.of("enabled", "devices");
    private static final Set<String> MIG_DEVICE_FIELDS = Set.of("profile", "start", "gi", "memoryMib");
    private static final Set<String> METRIC_FIELDS = Set.of("utilization", "memoryUtilization", "memoryUsedMib", "temperature", "power",
            "eccCorrected", "eccUncorrected");
    private static final Set<String> LINK_FIELDS = Set.of("nvlink", "pcie");
    private static final Set<String> NVLINK_FIELDS = Set.of("all", "via", "pairs");
    private static final Set<String> NVLINK_PAIR_FIELDS = Set.of("gpus", "count");
    private static final Set<String> PCIE_FIELDS = Set.of("sameNuma", "crossNuma", "pairs");
    private static final Set<String> PCIE_PAIR_FIELDS = Set.of("gpus", "relation");

    private NodeSpecReader() {
    }

    /** Reads a description file; a missing or unreadable file is a {@link NodeSpecException} too (line 0). */
    public static NodeSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NodeSpecException(file.toString(), 0, "", "no such file");
        } catch (IOException e) {
            throw new NodeSpecException(file.toString(), 0, "", "cannot be read: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses description text; {@code source} names it in messages. */
    public static NodeSpec parse(String text, String source) {
        Node node;
        try {
            node = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = mark == null ? 1 : mark.getLine() + 1;
            throw new NodeSpecException(source, line, "", "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new NodeSpecException(source, 1, "", "not valid YAML: " + e.getMessage());
        }
        if (node == null) {
            throw new NodeSpecException(source, 1, "", "the description is empty");
        }
        return new NodeSpecReader.Reading(source).node(SpecNode.root(source, node));
    }

    /** One pass over one document. */
    private record Reading(String source) {
        NodeSpec node(SpecNode root) {
            root.allowOnly(ROOT_FIELDS);
            String name = root.get("node").text();
            String driver = root.get("driver").text();
            SpecNode cudaNode = root.get("cuda");
            String cuda = cudaNode.text();
            if (!CUDA_VERSION.matcher(cuda).matches()) {
                throw cudaNode.error("must look like MAJOR.MINOR (e.g. \"12.4\"), got '" + cuda + "'");
            }
            Optional<SpecNode> defaults = root.opt("defaults").map(d -> d.allowOnly(DEFAULT_FIELDS));
            SpecNode gpusNode = root.get("gpus");
            List<SpecNode> gpuNodes = gpusNode.list();
            if (gpuNodes.isEmpty()) {
                throw gpusNode.error("must list at least one GPU");
            }
            GpuSpec[] byIndex = new GpuSpec[gpuNodes.size()];
            Set<String> busIds = new HashSet<>();
            for (SpecNode g : gpuNodes) {
                GpuSpec gpu = gpu(g, defaults, gpuNodes.size());
                if (byIndex[gpu.index()] != null) {
                    throw g.get("index").error("GPU index " + gpu.index() + " appears twice");
                }
                if (!busIds.add(gpu.pciBusId())) {
                    throw g.opt("pciBusId").orElse(g).error("PCI bus id " + gpu.pciBusId() + " appears twice");
                }
                byIndex[gpu.index()] = gpu;
            }
            List<GpuSpec> gpus = List.of(byIndex);
            Optional<SpecNode> links = root.opt("links").map(l -> l.allowOnly(LINK_FIELDS));
            Optional<SpecNode> nvlink = links.flatMap(l -> l.opt("nvlink")).map(n -> n.allowOnly(NVLINK_FIELDS));
            int[][] nv = new int[gpus.size()][gpus.size()];
            int nvswitch = nvlinks(nvlink, nv);
            PcieRelation[][] pcie = pcie(links.flatMap(l -> l.opt("pcie")), gpus);
            LinkMatrix matrix = LinkMatrix.of(gpus.size(), (i, j) -> new Link(nv[i][j], pcie[i][j]));
            return new NodeSpec(source, name, driver, cuda, gpus, matrix, nvswitch);
        }

        private GpuSpec gpu(SpecNode g, Optional<SpecNode> defaults, int count) {
            g.allowOnly(GPU_FIELDS);
            int index = g.get("index").int32(0, count - 1);
            int minor = g.opt("minor").map(n -> n.int32(0, 255)).orElse(index);
            String product = field(g, defaults, "product").text();
            SpecNode archNode = field(g, defaults, "architecture");
            String architecture = archNode.text();
            if (!ARCHITECTURE.matcher(architecture).matches()) {
                throw archNode.error("must be a lower-case family name such as ampere, hopper or ada-lovelace, got '" + architecture + "'");
            }
            SpecNode ccNode = field(g, defaults, "computeCapability");
            ComputeCapability cc;
            try {
                cc = ComputeCapability.parse(ccNode.text());
            } catch (IllegalArgumentException e) {
                throw ccNode.error(e.getMessage());
            }
            long memoryMib = field(g, defaults, "memoryMib").integer(1, 16L * 1024 * 1024);
            String busId = g.opt("pciBusId").map(this::pciBusId).orElse(String.format("0000:%02x:00.0", index + 1));
            int numa = g.opt("numa").map(n -> n.int32(-1, 63)).orElse(-1);
            boolean lost = g.opt("lost").map(SpecNode::bool).orElse(false);
            Optional<MigProfileCatalog> catalog = MigProfileCatalog.forGpu(product, memoryMib);
            boolean migEnabled = false;
            List<GpuSpec.MigSpec> mig = List.of();
            Optional<SpecNode> migNode = g.opt("mig");
            if (migNode.isPresent()) {
                SpecNode m = migNode.get().allowOnly(MIG_FIELDS);
                if (catalog.isEmpty()) {
                    throw m.error("'" + product + "' cannot do MIG (MIG-capable: A100 40/80GB, H100 80/94GB, H200)");
                }
                migEnabled = m.opt("enabled").map(SpecNode::bool).orElse(true);
                mig = m.opt("devices").map(d -> migDevices(d, catalog.get())).orElse(List.of());
                if (!migEnabled && !mig.isEmpty()) {
                    throw m.get("devices").error("MIG devices need MIG mode on (enabled: true)");
                }
            }
            GpuMetrics metrics = metrics(g.opt("metrics"), defaults.flatMap(d -> d.opt("metrics")), memoryMib);
            return new GpuSpec(index, minor, product, architecture, cc, memoryMib, busId, numa, catalog.isPresent(), lost, migEnabled,
                    mig, metrics);
        }

        private SpecNode field(SpecNode gpu, Optional<SpecNode> defaults, String key) {
            Optional<SpecNode> own = gpu.opt(key);
            if (own.isPresent()) {
                return own.get();
            }
            return defaults.flatMap(d -> d.opt(key)).orElseThrow(
                    () -> new NodeSpecException(source, gpu.line(), gpu.path() + "." + key, "is missing (give it on the GPU or under defaults)"));
        }

        private String pciBusId(SpecNode n) {
            String id = n.text().toLowerCase(Locale.ROOT);
            if (!PCI_BUS_ID.matcher(id).matches()) {
                throw n.error("must look like DDDD:BB:DD.F (e.g. 0000:18:00.0), got '" + n.text() + "'");
            }
            return id;
        }

        private List<GpuSpec.MigSpec> migDevices(SpecNode devicesNode, MigProfileCatalog catalog) {
            List<SpecNode> nodes = devicesNode.list();
            Set<Integer> explicitIds = new HashSet<>();
            for (SpecNode d : nodes) {
                d.allowOnly(MIG_DEVICE_FIELDS);
                if (d.has("gi")) {
                    int gi = d.get("gi").int32(0, 14);
                    if (!explicitIds.add(gi)) {
                        throw d.get("gi").error("GPU instance id " + gi + " appears twice");
                    }
                }
            }
            Set<Integer> usedIds = new HashSet<>(explicitIds);
            List<GpuSpec.MigSpec> result = new ArrayList<>();
            Map<GpuSpec.MigSpec, SpecNode> where = new HashMap<>();
            for (SpecNode d : nodes) {
                SpecNode profileNode = d.get("profile");
                String name = profileNode.text();
                MigProfile profile = catalog.profile(name).orElseThrow(() -> profileNode.error("unknown MIG profile '" + name + "' for this GPU (known: "
                        + String.join(", ", catalog.profiles().stream().map(MigProfile::name).toList()) + ")"));
                SpecNode startNode = d.get("start");
                int start = startNode.int32(0, MigProfile.PLACEMENT_SLOTS - 1);
                if (!profile.isLegalStart(start)) {
                    throw startNode.error(name + " cannot start at slot " + start + " (legal starts: " + profile.placementStarts() + ")");
                }
                for (GpuSpec.MigSpec other : result) {
                    if (start < other.start() + other.size() && other.start() < start + profile.placementSize()) {
                        throw startNode.error(name + " at " + start + " overlaps " + other.profile() + " at " + other.start()
                                + " (line " + where.get(other).line() + ")");
                    }
                }
                int gi;
                if (d.has("gi")) {
                    gi = d.get("gi").int32(0, 14);
                } else {
                    gi = 1;
                    while (usedIds.contains(gi)) {
                        gi++;
                    }
                    usedIds.add(gi);
                }
                long memory = d.opt("memoryMib").map(n -> n.integer(1, profile.memoryMib() * 2)).orElse(profile.memoryMib());
                GpuSpec.MigSpec spec = new GpuSpec.MigSpec(name, start, profile.placementSize(), gi, memory);
                result.add(spec);
                where.put(spec, d);
            }
            return result;
        }

        private GpuMetrics metrics(Optional<SpecNode> own, Optional<SpecNode> shared, long memoryMib) {
            own.ifPresent(n -> n.allowOnly(METRIC_FIELDS));
            shared.ifPresent(n -> n.allowOnly(METRIC_FIELDS));
            int util = metric(own, shared, "utilization").map(n -> n.int32(0, 100)).orElse(0);
            int memUtil = metric(own, shared, "memoryUtilization").map(n -> n.int32(0, 100)).orElse(0);
            long used = metric(own, shared, "memoryUsedMib").map(n -> n.integer(0, memoryMib)).orElse(0L);
            int temperature = metric(own, shared, "temperature").map(n -> n.int32(0, 150)).orElse(35);
            // NVML reports milliwatts: keep the watts the description gives to that precision.
            double power = Math.round(metric(own, shared, "power").map(n -> n.decimal(0, 5000)).orElse(60.0) * 1000) / 1000.0;
            long corrected = metric(own, shared, "eccCorrected").map(n -> n.integer(-1, Long.MAX_VALUE)).orElse(0L);
            long uncorrected = metric(own, shared, "eccUncorrected").map(n -> n.integer(-1, Long.MAX_VALUE)).orElse(0L);
            return new GpuMetrics(util, memUtil, used, memoryMib, temperature, power, corrected, uncorrected);
        }

        private static Optional<SpecNode> metric(Optional<SpecNode> own, Optional<SpecNode> shared, String key) {
            Optional<SpecNode> mine = own.flatMap(n -> n.opt(key));
            return mine.isPresent() ? mine : shared.flatMap(n -> n.opt(key));
        }

        /** Fills direct NVLink counts into {@code nv}; answers the NVSwitch links per GPU (0 without a switch). */
        private int nvlinks(Optional<SpecNode> nvlink, int[][] nv) {
            if (nvlink.isEmpty()) {
                return 0;
            }
            SpecNode n = nvlink.get();
            int size = nv.length;
            int all = n.opt("all").map(a -> a.int32(0, MAX_NVLINKS_PER_GPU)).orElse(0);
            String via = n.opt("via").map(SpecNode::text).orElse("direct");
            if (!via.equals("direct") && !via.equals("nvswitch")) {
                throw n.get("via").error("must be direct or nvswitch, got '" + via + "'");
            }
            if (via.equals("nvswitch")) {
                if (n.has("pairs")) {
                    throw n.get("pairs").error("pairs cannot be listed when links go via nvswitch (every pair gets 'all')");
                }
                if (all == 0) {
                    throw n.opt("all").orElse(n).error("via: nvswitch needs 'all': the NVLinks each GPU has into the switches");
                }
                for (int i = 0; i < size; i++) {
                    for (int j = 0; j < size; j++) {
                        nv[i][j] = i == j ? 0 : all;
                    }
                }
                return all;
            }
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    nv[i][j] = i == j ? 0 : all;
                }
            }
            Set<String> seen = new HashSet<>();
            for (SpecNode p : n.opt("pairs").map(SpecNode::list).orElse(List.of())) {
                p.allowOnly(NVLINK_PAIR_FIELDS);
                int[] pair = pair(p.get("gpus"), size, seen);
                int count = p.get("count").int32(0, MAX_NVLINKS_PER_GPU);
                nv[pair[0]][pair[1]] = count;
                nv[pair[1]][pair[0]] = count;
            }
            for (int i = 0; i < size; i++) {
                int total = 0;
                for (int j = 0; j < size; j++) {
                    total += nv[i][j];
                }
                if (total > MAX_NVLINKS_PER_GPU) {
                    throw n.error("GPU " + i + " would need " + total + " direct NVLinks, more than the " + MAX_NVLINKS_PER_GPU
                            + " a GPU has; an all-to-all fabric is 'via: nvswitch'");
                }
            }
            return 0;
        }

        private PcieRelation[][] pcie(Optional<SpecNode> pcieNode, List<GpuSpec> gpus) {
            pcieNode.ifPresent(p -> p.allowOnly(PCIE_FIELDS));
            PcieRelation sameNuma = pcieNode.flatMap(p -> p.opt("sameNuma")).map(this::relation).orElse(PcieRelation.SAME_NUMA);
            PcieRelation crossNuma = pcieNode.flatMap(p -> p.opt("crossNuma")).map(this::relation).orElse(PcieRelation.CROSS_CPU);
            int size = gpus.size();
            PcieRelation[][] rel = new PcieRelation[size][size];
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    int a = gpus.get(i).numaNode();
                    rel[i][j] = a >= 0 && a == gpus.get(j).numaNode() ? sameNuma : crossNuma;
                }
            }
            Set<String> seen = new HashSet<>();
            for (SpecNode p : pcieNode.flatMap(n -> n.opt("pairs")).map(SpecNode::list).orElse(List.of())) {
                p.allowOnly(PCIE_PAIR_FIELDS);
                int[] pair = pair(p.get("gpus"), size, seen);
                PcieRelation r = relation(p.get("relation"));
                rel[pair[0]][pair[1]] = r;
                rel[pair[1]][pair[0]] = r;
            }
            return rel;
        }

        private PcieRelation relation(SpecNode n) {
            try {
                return PcieRelation.parse(n.text());
            } catch (IllegalArgumentException e) {
                throw n.error(e.getMessage());
            }
        }

        private static int[] pair(SpecNode gpusNode, int size, Set<String> seen) {
            List<SpecNode> ends = gpusNode.list();
            if (ends.size() != 2) {
                throw gpusNode.error("must name exactly two GPU indices, e.g. [0, 1]");
            }
            int a = ends.get(0).int32(0, size - 1);
            int b = ends.get(1).int32(0, size - 1);
            if (a == b) {
                throw gpusNode.error("a GPU has no link to itself");
            }
            if (!seen.add(Math.min(a, b) + "-" + Math.max(a, b))) {
                throw gpusNode.error("pair " + a + "-" + b + " is listed twice");
            }
            return new int[] {a, b};
        }
    }
}
