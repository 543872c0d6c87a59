package dev.tangram.core.names;

/** Every resource, label, annotation, environment variable and driver name Tangram reads or writes, once. */
public final class TangramNames {
    private TangramNames() {
    }

    // --- extended resources (kubelet device plugin) ---
    public static final String RESOURCE_DOMAIN = "nvidia.com";
    public static final String RESOURCE_GPU = "nvidia.com/gpu";
    /** Default name of time-sliced replicas (renamable in the device plugin config). */
    public static final String RESOURCE_GPU_SHARED = "nvidia.com/gpu.shared";
    public static final String RESOURCE_MIG_PREFIX = "nvidia.com/mig-";

    /** {@code nvidia.com/mig-<profile>} with '+' replaced by '.', as the mixed strategy names it. */
    public static String migResource(String profile) {
        return RESOURCE_MIG_PREFIX + profile.replace('+', '.');
    }

    public static boolean isMigResource(String resource) {
        return resource.startsWith(RESOURCE_MIG_PREFIX);
    }

    /** The profile of a {@code nvidia.com/mig-...} resource name ('.me' back to '+me'). */
    public static String migProfileOf(String resource) {
        if (!isMigResource(resource)) {
            throw new IllegalArgumentException("'" + resource + "' is not a MIG resource name");
        }
        String p = resource.substring(RESOURCE_MIG_PREFIX.length());
        return p.endsWith(".me") ? p.substring(0, p.length() - 3) + "+me" : p;
    }

    // --- annotations ---
    /** Node annotation: the versioned JSON GPU inventory written by the device plugin, read by the extender. */
    public static final String ANNOTATION_GPU_INVENTORY = "tangram.dev/gpu-inventory";
    /** Pod annotation: the extender's placement decision (devices per container), keyed by pod UID. */
    public static final String ANNOTATION_PLACEMENT = "tangram.dev/placement";
    /** Pod annotation the device plugin sets at Allocate time: the device IDs it handed out. */
    public static final String ANNOTATION_ALLOCATED = "tangram.dev/allocated-devices";

    // --- gang scheduling ---
    public static final String LABEL_GANG = "tangram.dev/gang";
    public static final String LABEL_GANG_SIZE = "tangram.dev/gang-size";
    public static final String LABEL_POD_GROUP = "scheduling.x-k8s.io/pod-group";

    // --- node labels, compatible with NVIDIA GPU feature discovery ---
    public static final String LABEL_GPU_PRESENT = "nvidia.com/gpu.present";
    public static final String LABEL_GPU_PRODUCT = "nvidia.com/gpu.product";
    public static final String LABEL_GPU_MEMORY = "nvidia.com/gpu.memory";
    public static final String LABEL_GPU_COUNT = "nvidia.com/gpu.count";
    public static final String LABEL_GPU_REPLICAS = "nvidia.com/gpu.replicas";
    public static final String LABEL_GPU_SHARING_STRATEGY = "nvidia.com/gpu.sharing-strategy";
    public static final String LABEL_GPU_FAMILY = "nvidia.com/gpu.family";
    public static final String LABEL_GPU_COMPUTE_MAJOR = "nvidia.com/gpu.compute.major";
    public static final String LABEL_GPU_COMPUTE_MINOR = "nvidia.com/gpu.compute.minor";
    public static final String LABEL_MIG_STRATEGY = "nvidia.com/mig.strategy";
    public static final String LABEL_MIG_CAPABLE = "nvidia.com/mig.capable";
    public static final String LABEL_CUDA_DRIVER_MAJOR = "nvidia.com/cuda.driver-version.major";
    public static final String LABEL_CUDA_DRIVER_MINOR = "nvidia.com/cuda.driver-version.minor";
    public static final String LABEL_CUDA_DRIVER_REVISION = "nvidia.com/cuda.driver-version.revision";
    public static final String LABEL_CUDA_DRIVER_FULL = "nvidia.com/cuda.driver-version.full";

    // --- container environment ---
    public static final String ENV_NVIDIA_VISIBLE_DEVICES = "NVIDIA_VISIBLE_DEVICES";
    public static final String ENV_CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES";
    /** Memory share of a shared replica (or of the MIG device / GPUs given), in MiB. */
    public static final String ENV_GPU_MEMORY_LIMIT_MIB = "TANGRAM_GPU_MEMORY_LIMIT_MIB";
    /** Replicas the container was given on one GPU. */
    public static final String ENV_GPU_REPLICAS = "TANGRAM_GPU_REPLICAS";
    /** The Tangram resource the container was allocated from. */
    public static final String ENV_RESOURCE = "TANGRAM_RESOURCE";
    public static final String ENV_CUDA_MPS_PIPE_DIRECTORY = "CUDA_MPS_PIPE_DIRECTORY";
    public static final String ENV_CUDA_MPS_ACTIVE_THREAD_PERCENTAGE = "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE";
    public static final String ENV_CUDA_MPS_PINNED_DEVICE_MEM_LIMIT = "CUDA_MPS_PINNED_DEVICE_MEM_LIMIT";
    /** How the container's GPUs are shared: {@code time-slicing} or {@code mps} (DRA claims). */
    public static final String ENV_SHARING_STRATEGY = "TANGRAM_SHARING_STRATEGY";
    /** The time-slice interval a DRA claim asked for: Default, Short, Medium or Long. */
    public static final String ENV_TIMESLICE_INTERVAL = "TANGRAM_TIMESLICE_INTERVAL";
    /** The DRA claim the devices came from, {@code namespace/name}. */
    public static final String ENV_DRA_CLAIM = "TANGRAM_DRA_CLAIM";

    // --- DRA and CDI ---
    public static final String DRA_DRIVER = "gpu.tangram.dev";
    public static final String DEVICE_CLASS_GPU = "gpu.tangram.dev";
    public static final String DEVICE_CLASS_MIG = "mig.tangram.dev";
    public static final String CDI_VENDOR = "tangram.dev";
    public static final String CDI_CLASS_GPU = "gpu";
    public static final String CDI_CLASS_CLAIM = "claim";
}
