package dev.tangram.extender.http;

/** A request the extender cannot read: answered 400 with the message. */
final class BadRequest extends Exception {
    BadRequest(String message) {
        super(message);
    }
}
