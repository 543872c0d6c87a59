package dev.tangram.inference.http;

import java.io.IOException;

/** The client of a request went away: writing to it failed, or its connection was seen closed. */
final class ClientGone extends RuntimeException {
    ClientGone(IOException cause) {
        super(cause);
    }

    ClientGone(String why) {
        super(why);
    }
}
