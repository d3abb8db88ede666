package dev.mailgateway.ingress.protocol;

/**
 * What the argument of HELO and EHLO may be. RFC 5321 section 4.1.1.1 asks for
 * a domain or an address literal, but clients send bare IP addresses, names
 * with underscores and other near misses, and section 4.1.4 forbids refusing
 * mail because the name does not check out; so, like Postfix by default, any
 * printable ASCII word (0x21-0x7E) up to a domain's length is taken, and
 * nothing else. The name is written into the Received: line and the envelope:
 * a CR, LF, TAB or other control character could start a header field of the
 * client's making there, and 8-bit text has no place (EHLO comes before any
 * SMTPUTF8 of RFC 6531). Pure.
 */
final class HeloName {

    /** RFC 5321 section 4.5.3.1.2: a domain is at most 255 octets; an address literal is shorter. */
    static final int MAX_LENGTH = 255;

    private HeloName() {
    }

    /** True when {@code argument} (one word, as HELO/EHLO give it) may stand in the Received: line. */
    static boolean isValid(String argument) {
        return argument.length() <= MAX_LENGTH && argument.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }
}
