package dev.mailgateway.common.auth.dmarc;

/**
 * A DMARC record that does not parse: its tag list is malformed or a tag
 * has a value section 6.4 of RFC 7489 does not allow. Evaluation reports
 * it as {@code permerror} (section 11.2: "such as encountering a
 * syntactically incorrect DMARC record") with the message as its reason,
 * which names the rule broken and never echoes the record.
 */
final class DmarcFormatException extends RuntimeException {

    DmarcFormatException(String reason) {
        super(reason);
    }
}
