package dev.tangram.extender.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tangram.extender.gpumap.GpuMapProjector;
import dev.tangram.extender.state.ClusterOccupancy;
import dev.tangram.extender.state.ClusterState;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.CRC32;

/**
 * The live GPU map: {@code GET /ui} is one self-contained page (inline CSS and JS, nothing fetched from elsewhere) that
 * polls {@code GET /ui/state.json}, the {@link GpuMapProjector}'s view of the cluster as JSON. The JSON carries an ETag;
 * a request whose {@code If-None-Match} matches gets 304. The last answer is kept while the cluster has not changed.
 */
public final class GpuMapHttp {
    static final String PAGE = "/ui";
    static final String STATE = "/ui/state.json";
    /** Inline styles and scripts only, requests only to this server. */
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:";

    private final ClusterState state;
    private final ObjectMapper json = JsonMapper.builder().build();
    private final byte[] page;
    private Answer last;

    private record Answer(ClusterOccupancy occupancy, byte[] body, String etag) {
    }

    public GpuMapHttp(ClusterState state) {
        this.state = state;
        try (InputStream in = GpuMapHttp.class.getResourceAsStream("gpu-map.html")) {
            if (in == null) {
                throw new IllegalStateException("gpu-map.html is missing from the extender's classpath");
            }
            page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading gpu-map.html", e);
        }
    }

    public void register(Javalin app) {
        app.get(PAGE, this::page);
        app.get(STATE, this::state);
    }

    private void page(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("Cache-Control", "no-cache")
                .contentType("text/html; charset=utf-8")
                .result(page);
    }

    private void state(Context ctx) throws JsonProcessingException {
        Answer a = answer();
        ctx.header("Cache-Control", "no-cache").header("ETag", a.etag());
        if (a.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType("application/json").result(a.body());
    }

    private synchronized Answer answer() throws JsonProcessingException {
        ClusterOccupancy now = state.occupancy();
        if (last == null || !last.occupancy().equals(now)) {
            byte[] body = json.writeValueAsBytes(GpuMapProjector.project(now));
            CRC32 crc = new CRC32();
            crc.update(body);
            last = new Answer(now, body, "\"" + Long.toHexString(crc.getValue()) + "-" + body.length + "\"");
        }
        return last;
    }
}
