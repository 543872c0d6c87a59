package dev.tangram.inference.server;

/** The server cannot start; the message says why (the model does not fit, a bad allocation variable, ...). */
public final class StartupRefusedException extends RuntimeException {
    public StartupRefusedException(String message) {
        super(message);
    }

    public StartupRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
