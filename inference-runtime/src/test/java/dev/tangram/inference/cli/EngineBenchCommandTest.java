package dev.tangram.inference.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.kernels.Q4Activations;
import dev.tangram.inference.kernels.ReadAheadSetting;
import dev.tangram.inference.kernels.WeightLayout;
import dev.tangram.inference.model.KvCacheType;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EngineBenchCommandTest {
    @Test
    void theLayoutAndReadAheadOptionsParseTheirValues() {
        EngineBenchCommand c = new EngineBenchCommand();
        new CommandLine(c).parseArgs("--weight-layout", "ROWS", "--read-ahead", "1024", "--q4-activations", "float", "--kv-cache-type", "f32");
        assertThat(c.kvCacheType).isEqualTo(KvCacheType.F32);
        assertThat(c.layout).isEqualTo(WeightLayout.ROWS);
        assertThat(c.q4Activations).isEqualTo(Q4Activations.FLOAT);
        assertThat(c.readAhead).isEqualTo(new ReadAheadSetting(false, 1024));
        EngineBenchCommand defaults = new EngineBenchCommand();
        new CommandLine(defaults).parseArgs();
        assertThat(defaults.layout).isEqualTo(WeightLayout.AUTO);
        assertThat(defaults.readAhead).isEqualTo(ReadAheadSetting.AUTO);
        assertThat(defaults.q4Activations).isEqualTo(Q4Activations.INT8);
        assertThat(defaults.kvCacheType).isEqualTo(KvCacheType.F16);
    }

    @Test
    void aBadValueIsReportedWithTheOptionsNameAndWhatIsAccepted() {
        assertThatThrownBy(() -> new CommandLine(new EngineBenchCommand()).parseArgs("--weight-layout", "columns"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("Invalid value for option '--weight-layout': weight layout must be auto, lanes or rows, got 'columns'");
        assertThatThrownBy(() -> new CommandLine(new EngineBenchCommand()).parseArgs("--read-ahead", "soon"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("Invalid value for option '--read-ahead': read-ahead must be auto, off or a number of bytes, got 'soon'");
        assertThatThrownBy(() -> new CommandLine(new EngineBenchCommand()).parseArgs("--q4-activations", "int4"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("Invalid value for option '--q4-activations': Q4_0 activations must be int8 or float, got 'int4'");
        assertThatThrownBy(() -> new CommandLine(new EngineBenchCommand()).parseArgs("--kv-cache-type", "fp8"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("Invalid value for option '--kv-cache-type': expected f16, f32 or q8_0, got 'fp8'");
    }
}
