package dev.tangram.deviceplugin.cdi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.allocation.AllocationResponder;
import dev.tangram.deviceplugin.allocation.MigCapabilities;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the CDI spec of this node's GPUs ({@code kind: tangram.dev/gpu}): one device per GPU and per MIG device, named both
 * by UUID and by index ({@code 0}, {@code 0:1}), each with its device nodes and an env naming it; the control nodes are
 * common edits. The file is replaced atomically (temp file, fsync, rename, fsync of the directory) and only when it changes.
 */
public final class CdiSpecWriter {
    public static final String CDI_VERSION = "0.6.0";
    public static final String KIND = TangramNames.CDI_VENDOR + "/" + TangramNames.CDI_CLASS_GPU;
    public static final String FILE_NAME = "tangram.dev-gpu.json";

    private final Path dir;
    private final Path devRoot;
    private final MigCapabilities caps;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private String lastWritten;

    public CdiSpecWriter(Path dir, Path devRoot, MigCapabilities caps) {
        this.dir = dir;
        this.devRoot = devRoot;
        this.caps = caps;
    }

    public Path file() {
        return dir.resolve(FILE_NAME);
    }

    /** The spec as a JSON-ready map. */
    public Map<String, Object> spec(NodeInventory inv) {
        List<Object> devices = new ArrayList<>();
        for (Gpu g : inv.gpus()) {
            List<String> nodes = List.of("nvidia" + g.minor());
            String env = "TANGRAM_GPU_" + g.index() + "_UUID=" + g.uuid();
            devices.add(device(g.uuid(), nodes, env));
            devices.add(device(Integer.toString(g.index()), nodes, env));
            for (MigDevice m : g.migDevices()) {
                List<String> migNodes = List.of("nvidia" + g.minor(),
                        "nvidia-caps/nvidia-cap" + caps.gpuInstanceAccess(g.minor(), m.gpuInstanceId()),
                        "nvidia-caps/nvidia-cap" + caps.computeInstanceAccess(g.minor(), m.gpuInstanceId(), m.computeInstanceId()));
                String migEnv = "TANGRAM_MIG_" + AllocationResponder.migIndex(g, m).replace(':', '_') + "_UUID=" + m.uuid();
                devices.add(device(m.uuid(), migNodes, migEnv));
                devices.add(device(AllocationResponder.migIndex(g, m), migNodes, migEnv));
            }
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("cdiVersion", CDI_VERSION);
        spec.put("kind", KIND);
        spec.put("devices", devices);
        spec.put("containerEdits", Map.of(
                "env", List.of(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES + "=void"),
                "deviceNodes", deviceNodes(List.of("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools"))));
        return spec;
    }

    private Map<String, Object> device(String name, List<String> nodes, String env) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", name);
        d.put("containerEdits", Map.of("env", List.of(env), "deviceNodes", deviceNodes(nodes)));
        return d;
    }

    private List<Object> deviceNodes(List<String> names) {
        List<Object> out = new ArrayList<>();
        for (String n : names) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("path", "/dev/" + n);
            node.put("hostPath", devRoot.resolve(n).toString());
            node.put("permissions", n.startsWith("nvidia-caps/") ? "r" : "rw");
            out.add(node);
        }
        return out;
    }

    /** Writes the spec when it differs from what was last written; answers whether it wrote. */
    public synchronized boolean write(NodeInventory inv) {
        String text;
        try {
            text = json.writeValueAsString(spec(inv));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("CDI spec could not be rendered", e);
        }
        if (text.equals(lastWritten)) {
            return false;
        }
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".tangram-gpu-", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some file systems cannot fsync a directory; the rename is still atomic
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the CDI spec " + file() + ": " + e.getMessage(), e);
        }
        lastWritten = text;
        return true;
    }
}
