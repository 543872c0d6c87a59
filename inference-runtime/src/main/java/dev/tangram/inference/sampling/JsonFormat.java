package dev.tangram.inference.sampling;

/**
 * The JSON an answer must be ({@code response_format}): any JSON object, or a document that follows a schema.
 *
 * @param schema the schema, or null for any JSON object
 */
public record JsonFormat(JsonSchema schema) {
    /** {@code {"type": "json_object"}}. */
    public static final JsonFormat ANY_OBJECT = new JsonFormat(null);

    /** A fresh cursor at the start of such a document. */
    TextCursor cursor() {
        return schema == null ? new JsonCursor() : new SchemaCursor(schema);
    }
}
