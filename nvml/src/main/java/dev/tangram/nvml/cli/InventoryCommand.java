package dev.tangram.nvml.cli;

import dev.tangram.core.inventory.InventoryCodec;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.core.probe.ProbeException;
import dev.tangram.nvml.jna.NvmlGpuProbe;
import dev.tangram.nvml.sim.NodeSpecException;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code bin/tangram inventory}: the node's GPUs, MIG devices and link matrix, from NVML or from a node description. */
@Command(name = "inventory", mixinStandardHelpOptions = true,
        description = "Shows the node's GPUs, MIG devices and GPU-to-GPU links (NVML, or a node description with --node-spec).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:shown", "2:bad arguments or a bad node description", "3:NVML failed (the message names the kind)"})
public final class InventoryCommand implements Callable<Integer> {
    static final int BAD_INPUT = 2;
    static final int PROBE_FAILED = 3;

    @Option(names = "--node-spec", paramLabel = "FILE", description = "read a node description (YAML) instead of NVML")
    Path nodeSpec;

    @Option(names = "--json", description = "print the tangram.dev/gpu-inventory annotation JSON instead of tables")
    boolean json;

    @Option(names = "--node-name", paramLabel = "NAME",
            description = "node name to report with NVML (default: $NODE_NAME, else the host name)")
    String nodeName;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command with the given streams; answers the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return new CommandLine(new InventoryCommand()).setOut(out).setErr(err).execute(args);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (GpuProbe probe = openProbe()) {
            NodeInventory inv = probe.inventory();
            out.print(json ? InventoryCodec.write(inv) + "\n" : InventoryTable.render(inv, probe.name()));
            out.flush();
            return 0;
        } catch (NodeSpecException e) {
            err.println("tangram inventory: " + e.getMessage());
            return BAD_INPUT;
        } catch (ProbeException e) {
            err.println("tangram inventory: " + e.kind() + ": " + e.getMessage());
            return PROBE_FAILED;
        }
    }

    private GpuProbe openProbe() {
        if (nodeSpec != null) {
            return SimulatedGpuProbe.open(nodeSpec);
        }
        return NvmlGpuProbe.open(nodeName != null ? nodeName : defaultNodeName());
    }

    private static String defaultNodeName() {
        String env = System.getenv("NODE_NAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
