package dev.mailgateway.common.auth.dmarc;

/**
 * A DMARC record that does not parse: it is not a tag list, or it names a
 * tag twice. (A tag with a value section 6.4 of RFC 7489 does not allow
 * is no such error: section 6.3 has it ignored.) Evaluation reports
 * it as {@code permerror} (section 11.2: "such as encountering a
 * syntactically incorrect DMARC record") with the message as its reason,
 * which names the rule broken and never echoes the record.
 */
final class DmarcFormatException extends RuntimeException {

    DmarcFormatException(String reason) {
        super(reason);
    }
}
