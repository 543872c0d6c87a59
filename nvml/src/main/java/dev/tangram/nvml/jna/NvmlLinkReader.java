package dev.tangram.nvml.jna;

import com.sun.jna.Pointer;
import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.PcieRelation;
import dev.tangram.core.probe.ProbeException;

import java.util.List;

import static dev.tangram.nvml.jna.NvmlLibrary.NVML_NVLINK_DEVICE_TYPE_GPU;
import static dev.tangram.nvml.jna.NvmlLibrary.NVML_NVLINK_DEVICE_TYPE_SWITCH;
import static dev.tangram.nvml.jna.NvmlLibrary.NVML_NVLINK_MAX_LINKS;

/**
 * Reads the GPU-to-GPU link matrix: NVLinks per pair from each GPU's active links and their remote ends, PCIe relation from
 * the topology common ancestor.
 *
 * <p>How links are counted: a link whose remote end is another GPU of the node counts once for that pair (read from the
 * lower GPU's side; NVML reports each link at both ends). A link into an NVSwitch connects its GPU to every other
 * switch-attached GPU, so on an NVSwitch node a pair gets {@code min(switch links of a, switch links of b)} — what
 * {@code nvidia-smi topo -m} prints (NV18 on every pair of a DGX H100). A remote end that is neither a GPU of this node nor
 * reported as a GPU is taken for a switch.
 */
final class NvmlLinkReader {
    private NvmlLinkReader() {
    }

    /** {@code devices[i]} is null for a GPU that is lost: it has no links and a cross-CPU relation to all. */
    static LinkMatrix read(Nvml nvml, Pointer[] devices, List<String> busIds) {
        int n = devices.length;
        int[][] direct = new int[n][n];
        int[] switchLinks = new int[n];
        for (int i = 0; i < n; i++) {
            if (devices[i] == null) {
                continue;
            }
            for (int link = 0; link < NVML_NVLINK_MAX_LINKS; link++) {
                if (!active(nvml, devices[i], link)) {
                    continue;
                }
                int type = remoteType(nvml, devices[i], link);
                if (type == NVML_NVLINK_DEVICE_TYPE_SWITCH) {
                    switchLinks[i]++;
                    continue;
                }
                int j = busIds.indexOf(nvml.nvlinkRemotePci(devices[i], link).normalizedBusId());
                if (j >= 0 && j != i) {
                    direct[i][j]++;
                } else if (type != NVML_NVLINK_DEVICE_TYPE_GPU) {
                    switchLinks[i]++;
                }
            }
        }
        return LinkMatrix.of(n, (i, j) -> new Link(Math.max(direct[i][j], direct[j][i]) + Math.min(switchLinks[i], switchLinks[j]),
                relation(nvml, devices[i], devices[j])));
    }

    private static boolean active(Nvml nvml, Pointer device, int link) {
        try {
            return nvml.nvlinkActive(device, link);
        } catch (ProbeException e) {
            if (e.kind() == ProbeException.Kind.NOT_SUPPORTED || e.kind() == ProbeException.Kind.INVALID_ARGUMENT) {
                return false;
            }
            throw e;
        }
    }

    /** The remote device type, or -1 when this driver cannot say. */
    private static int remoteType(Nvml nvml, Pointer device, int link) {
        try {
            return nvml.nvlinkRemoteType(device, link);
        } catch (ProbeException e) {
            if (e.kind() == ProbeException.Kind.NOT_SUPPORTED) {
                return -1;
            }
            throw e;
        }
    }

    private static PcieRelation relation(Nvml nvml, Pointer a, Pointer b) {
        if (a == null || b == null) {
            return PcieRelation.CROSS_CPU;
        }
        try {
            return PcieRelation.fromNvmlLevel(nvml.commonAncestor(a, b));
        } catch (ProbeException e) {
            if (e.kind() == ProbeException.Kind.NOT_SUPPORTED || e.kind() == ProbeException.Kind.GPU_LOST) {
                return PcieRelation.CROSS_CPU;
            }
            throw e;
        } catch (IllegalArgumentException e) {
            return PcieRelation.CROSS_CPU;
        }
    }
}
