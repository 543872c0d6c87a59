package dev.tangram.sim;

import dev.tangram.core.placement.GpuDemand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraceReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsNodesAndPodsInTheTraceFormat() throws IOException {
        Path nodes = Files.writeString(dir.resolve("n.csv"), "sn,cpu_milli,memory_mib,gpu,model\nn0,64000,262144,2,P100\nn1,32000,131072,0,\n");
        Path pods = Files.writeString(dir.resolve("p.csv"), """
                name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
                a,6000,12288,1,460,,LS,Running,0,1,0
                b,88000,327680,8,1000,,Burstable,Succeeded,0,1,0
                c,4000,15258,0,0,,BE,Running,0,1,0
                d,16000,32768,1,1000,V100M16|V100M32,LS,Running,0,1,0
                """);
        List<SimNode> n = TraceReader.nodes(nodes);
        assertThat(n).extracting(SimNode::name, SimNode::gpus, SimNode::model).containsExactly(
                org.assertj.core.groups.Tuple.tuple("n0", 2, "P100"), org.assertj.core.groups.Tuple.tuple("n1", 0, ""));
        List<SimPod> p = TraceReader.pods(pods);
        assertThat(p.get(0).demand().containers().getFirst().demand()).isEqualTo(new GpuDemand.GpuFraction(460));
        assertThat(p.get(0).gpuMilli()).isEqualTo(460);
        assertThat(p.get(1).demand().containers().getFirst().demand()).isEqualTo(new GpuDemand.WholeGpus(8));
        assertThat(p.get(1).gpuMilli()).isEqualTo(8000);
        assertThat(p.get(2).needsGpu()).isFalse();
        assertThat(p.get(3).demand().allowedModels()).isEqualTo(Set.of("V100M16", "V100M32"));
    }

    @Test
    void aBadRowIsRejectedNamingFileLineAndColumn() throws IOException {
        Path pods = Files.writeString(dir.resolve("p.csv"), "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\na,6000,12288,1,460,\nb,x,1,0,0,\n");
        assertThatThrownBy(() -> TraceReader.pods(pods)).hasMessageContaining("p.csv line 3, column cpu_milli").hasMessageContaining("'x'");
        Path half = Files.writeString(dir.resolve("h.csv"), "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\na,1,1,2,500,\n");
        assertThatThrownBy(() -> TraceReader.pods(half)).hasMessageContaining("column gpu_milli").hasMessageContaining("whole");
        Path noModel = Files.writeString(dir.resolve("m.csv"), "sn,cpu_milli,memory_mib,gpu\nn0,1,1,2\n");
        assertThatThrownBy(() -> TraceReader.nodes(noModel)).hasMessageContaining("missing column 'model'");
        assertThatThrownBy(() -> TraceReader.nodes(dir.resolve("none.csv"))).hasMessageContaining("no such file");
    }
}
