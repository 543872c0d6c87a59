package dev.tangram.dra.grpc;

import dev.tangram.dra.claim.ClaimRef;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks the claims of a kubelet request: each needs namespace, uid and name, and no UID may appear twice. */
final class ClaimRequests {
    private ClaimRequests() {
    }

    static List<ClaimRef> validated(List<ClaimRef> refs) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < refs.size(); i++) {
            ClaimRef r = refs.get(i);
            int index = i;
            r.missingField().ifPresent(f -> {
                throw invalid("claims[" + index + "] has no " + f);
            });
            if (!seen.add(r.uid())) {
                throw invalid("claims[" + index + "] repeats uid " + r.uid());
            }
        }
        return refs;
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
