package dev.tangram.deviceplugin;

import dev.tangram.core.names.TangramNames;
import dev.tangram.proto.deviceplugin.v1beta1.AllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import dev.tangram.proto.deviceplugin.v1beta1.Device;
import dev.tangram.proto.deviceplugin.v1beta1.PreferredAllocationRequest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The device plugin benchmark (not a test): starts {@code bin/tangram device-plugin} as its own process against the kubelet
 * harness and measures start-to-registered time, Allocate and GetPreferredAllocation latency over the Unix socket, resident
 * memory and idle CPU of that process. Run it with {@code ./mvnw -B -q -o -pl device-plugin -am verify -Pbench -DskipTests}
 * (system properties: {@code bench.node} (default examples/nodes/dgx-h100.yaml), {@code bench.calls}, {@code bench.idleSeconds}).
 */
public final class DevicePluginBench {
    private DevicePluginBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = repositoryRoot();
        Path node = root.resolve(System.getProperty("bench.node", "examples/nodes/dgx-h100.yaml"));
        int calls = Integer.getInteger("bench.calls", 5000);
        int idleSeconds = Integer.getInteger("bench.idleSeconds", 20);
        try (KubeletHarness kubelet = new KubeletHarness()) {
            ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/tangram").toString(), "device-plugin", "--node-spec", node.toString(),
                    "--kubelet-dir", kubelet.dir().toString(), "--http-port", "0", "--node-name", "bench")
                    .redirectErrorStream(true).redirectOutput(kubelet.dir().resolve("plugin.log").toFile());
            pb.environment().remove("KUBECONFIG");
            pb.environment().remove("KUBERNETES_SERVICE_HOST");
            long spawned = System.nanoTime();
            Process p = pb.start();
            try {
                String resource = TangramNames.RESOURCE_GPU;
                while (kubelet.devices(resource).isEmpty()) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("plugin exited: " + Files.readString(kubelet.dir().resolve("plugin.log")));
                    }
                    if (System.nanoTime() - spawned > 60_000_000_000L) {
                        throw new IllegalStateException("plugin did not register within 60 s");
                    }
                    Thread.sleep(1);
                }
                double startMs = (System.nanoTime() - spawned) / 1e6;
                String inProcess = Files.readAllLines(kubelet.dir().resolve("plugin.log")).stream()
                        .filter(l -> l.contains("every resource registered")).findFirst().orElse("(not logged yet)");
                long rssAfterStart = rssKib(p.pid());

                List<String> ids = kubelet.devices(resource).stream().map(Device::getID).toList();
                AllocateRequest allocate = AllocateRequest.newBuilder()
                        .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(ids.get(3))).build();
                PreferredAllocationRequest preferred = PreferredAllocationRequest.newBuilder()
                        .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder().addAllAvailableDeviceIDs(ids).setAllocationSize(4))
                        .build();
                var stub = kubelet.plugin(resource).withDeadlineAfter(10, java.util.concurrent.TimeUnit.MINUTES);
                double[] alloc = measure(calls, () -> stub.allocate(allocate));
                double[] pref = measure(calls, () -> stub.getPreferredAllocation(preferred));
                long rssAfterLoad = rssKib(p.pid());

                Thread.sleep(3000);
                long cpu0 = cpuTicks(p.pid());
                long t0 = System.nanoTime();
                Thread.sleep(idleSeconds * 1000L);
                long cpu1 = cpuTicks(p.pid());
                double idleCpuPercent = 100.0 * ((cpu1 - cpu0) / 100.0) / ((System.nanoTime() - t0) / 1e9);
                long rssIdle = rssKib(p.pid());

                System.out.printf("node                         %s (%d GPUs)%n", node.getFileName(), ids.size());
                System.out.printf("start -> registered (spawn)  %.0f ms%n", startMs);
                System.out.printf("in-process log               %s%n", inProcess.replaceAll(".*DevicePluginCommand - ", ""));
                System.out.printf("Allocate (1 GPU)             p50 %.3f ms  p99 %.3f ms  (%d calls after %d warm-up)%n", alloc[0], alloc[1], calls, calls);
                System.out.printf("GetPreferredAllocation (4/8) p50 %.3f ms  p99 %.3f ms  (%d calls after %d warm-up)%n", pref[0], pref[1], calls, calls);
                System.out.printf("RSS after start              %.1f MiB%n", rssAfterStart / 1024.0);
                System.out.printf("RSS after load               %.1f MiB%n", rssAfterLoad / 1024.0);
                System.out.printf("RSS idle                     %.1f MiB (peak %.1f MiB)%n", rssIdle / 1024.0, status(p.pid(), "VmHWM:") / 1024.0);
                System.out.printf("idle CPU over %d s           %.2f %% of one core%n", idleSeconds, idleCpuPercent);
                if (Boolean.getBoolean("bench.nmt")) { // needs -XX:NativeMemoryTracking=summary in TANGRAM_JAVA_OPTS
                    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
                    new ProcessBuilder(jcmd.toString(), Long.toString(p.pid()), "VM.native_memory", "summary").inheritIO().start().waitFor();
                    System.out.println(Files.readString(Path.of("/proc/" + p.pid() + "/smaps_rollup")));
                }
            } finally {
                p.destroy();
                p.waitFor();
            }
        }
    }

    private static double[] measure(int calls, Supplier<Object> call) {
        for (int i = 0; i < calls; i++) {
            call.get();
        }
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            long s = System.nanoTime();
            call.get();
            nanos[i] = System.nanoTime() - s;
        }
        Arrays.sort(nanos);
        return new double[]{nanos[calls / 2] / 1e6, nanos[(int) Math.ceil(calls * 0.99) - 1] / 1e6};
    }

    private static long rssKib(long pid) throws IOException {
        return status(pid, "VmRSS:");
    }

    private static long status(long pid, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** utime + stime of the process and its threads, in clock ticks (100 per second). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isExecutable(dir.resolve("bin/tangram"))) {
                return dir;
            }
        }
        throw new IllegalStateException("bin/tangram not found above " + Path.of("").toAbsolutePath());
    }
}
