package dev.mailgateway.common.auth.dkim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.DomainName;
import dev.mailgateway.common.auth.TagList;

/**
 * A {@code DKIM-Signature} field read for verification (RFC 6376 section
 * 3.5), with every check that needs no key and no body: v=1, the required
 * tags, a supported algorithm, From among the signed fields (section 5.4),
 * an i= within d= (section 3.5), an x= after t=. What fails a check is a
 * {@link DkimFormatException}, reported as permerror.
 *
 * @param domain            d=, lower case, in its ASCII form (the DNS query's)
 * @param selector          s=, likewise
 * @param identity          i=, or {@code @} and d= when absent
 * @param bodyLength        l=, when given
 * @param signatureWithoutB the field's octets with the b= value removed and no final CRLF (section 3.7)
 */
public record DkimSignature(
        DkimAlgorithm algorithm,
        Canonicalization headerCanonicalization,
        Canonicalization bodyCanonicalization,
        String domain,
        String selector,
        String identity,
        List<String> signedHeaders,
        byte[] bodyHash,
        byte[] signature,
        OptionalLong bodyLength,
        OptionalLong timestamp,
        OptionalLong expiry,
        byte[] signatureWithoutB) {

    /** Most h= entries: more than any signer lists, and each costs a canonicalized field. */
    public static final int MAX_SIGNED_HEADERS = 128;
    /** Longest decimal in l=, t=, x=: RFC 6376 allows 76 digits, a long holds 18. */
    private static final int MAX_DIGITS = 18;

    public static DkimSignature parse(HeaderField field) {
        TagList tags = TagList.parse(field.value(), DkimFormatException::new);
        if (!tags.require("v").equals("1")) {
            throw new DkimFormatException("Signature version v= is not 1");
        }
        String a = tags.require("a");
        if (a.equals("rsa-sha1")) {
            throw new DkimFormatException("rsa-sha1 signatures are not valid (RFC 8301 section 3.1)");
        }
        DkimAlgorithm algorithm = DkimAlgorithm.fromTag(a)
                .orElseThrow(() -> new DkimFormatException("Unknown signature algorithm a=" + DkimKeyRecord.printable(a)));
        String[] c = tags.get("c").orElse("simple/simple").split("/", -1);
        if (c.length > 2) {
            throw new DkimFormatException("Malformed canonicalization c=");
        }
        Canonicalization header = canonicalization(c[0]);
        Canonicalization body = c.length == 2 ? canonicalization(c[1]) : Canonicalization.SIMPLE;
        String domain = domainName(tags.require("d"), "d=");
        String selector = domainName(tags.require("s"), "s=");
        List<String> signedHeaders = signedHeaders(tags.require("h"));
        String identity = tags.get("i").orElse("@" + domain);
        int at = identity.lastIndexOf('@');
        if (at < 0 || !isWithin(identity.substring(at + 1), domain)) {
            throw new DkimFormatException("Identity i= is not within d=");
        }
        tags.get("q").ifPresent(q -> {
            if (Arrays.stream(q.split(":")).noneMatch(method -> method.strip().equals("dns/txt"))) {
                throw new DkimFormatException("Query method q= has no dns/txt");
            }
        });
        OptionalLong timestamp = number(tags, "t");
        OptionalLong expiry = number(tags, "x");
        if (timestamp.isPresent() && expiry.isPresent() && expiry.getAsLong() <= timestamp.getAsLong()) {
            // section 3.5: "the value of the "x=" tag MUST be greater than the value of the "t=" tag"
            throw new DkimFormatException("Expiry x= not after timestamp t=");
        }
        TagList.Tag b = tags.tag("b").orElseThrow(() -> new DkimFormatException("Required tag b= missing"));
        return new DkimSignature(algorithm, header, body, domain, selector, identity, signedHeaders,
                base64(tags.require("bh"), "bh="), base64(b.value(), "b="), number(tags, "l"),
                timestamp, expiry, withoutB(field, b));
    }

    private static Canonicalization canonicalization(String tag) {
        return Canonicalization.fromTag(tag.strip())
                .orElseThrow(() -> new DkimFormatException("Unknown canonicalization c=" + DkimKeyRecord.printable(tag)));
    }

    /**
     * d= and s= are domain names (section 3.5), checked and converted as the gateway does every domain:
     * RFC 8616 section 4 lets them be U-labels in internationalized mail, and the key is queried and
     * compared under the A-labels. Also used for the signer's own, which an administrator may write as an IDN.
     */
    static String domainName(String value, String tag) {
        try {
            return DomainName.toAscii(value);
        } catch (AddressException e) {
            throw new DkimFormatException("Malformed domain name in " + tag);
        }
    }

    /** Whether i='s domain is d= or a subdomain of it, compared in ASCII form as d= is (RFC 8616 section 4). */
    private static boolean isWithin(String identityDomain, String domain) {
        String ascii;
        try {
            ascii = DomainName.toAscii(identityDomain);
        } catch (AddressException e) {
            return false;
        }
        return ascii.equals(domain) || ascii.endsWith("." + domain);
    }

    /** h=: field names separated by colons with white space allowed around them; From must be one (section 5.4). */
    private static List<String> signedHeaders(String h) {
        List<String> names = new ArrayList<>();
        for (String name : h.split(":", -1)) {
            String stripped = name.strip().toLowerCase(Locale.ROOT);
            if (stripped.isEmpty() || stripped.chars().anyMatch(ch -> ch < 0x21 || ch > 0x7e)) {
                throw new DkimFormatException("Malformed field name in h=");
            }
            if (names.size() == MAX_SIGNED_HEADERS) {
                throw new DkimFormatException("Over " + MAX_SIGNED_HEADERS + " fields in h=");
            }
            names.add(stripped);
        }
        if (!names.contains("from")) {
            throw new DkimFormatException("From is not among the signed fields h=");
        }
        return List.copyOf(names);
    }

    private static OptionalLong number(TagList tags, String name) {
        return tags.get(name).map(value -> {
            if (value.isEmpty() || value.length() > MAX_DIGITS || !value.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw new DkimFormatException("Tag " + name + "= is not a decimal of at most " + MAX_DIGITS + " digits");
            }
            return OptionalLong.of(Long.parseLong(value));
        }).orElse(OptionalLong.empty());
    }

    /** base64 with folding white space inside it (section 3.5, b= and bh=). */
    private static byte[] base64(String value, String tag) {
        try {
            return Base64.getDecoder().decode(withoutFoldingSpace(value));
        } catch (IllegalArgumentException e) {
            throw new DkimFormatException("Tag " + tag + " is not base64");
        }
    }

    /** The value without its spaces, tabs, CRs and LFs: a loop, as this runs for every signature of every message. */
    private static String withoutFoldingSpace(String value) {
        if (value.indexOf(' ') < 0 && value.indexOf('\t') < 0 && value.indexOf('\r') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        StringBuilder kept = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                kept.append(c);
            }
        }
        return kept.toString();
    }

    private static byte[] withoutB(HeaderField field, TagList.Tag b) {
        byte[] octets = field.octets();
        int start = field.valueStart() + b.rawStart();
        int end = field.valueStart() + b.rawEnd();
        int length = octets.length;
        if (length >= 2 && octets[length - 2] == '\r' && octets[length - 1] == '\n') {
            length -= 2;
        }
        byte[] out = new byte[length - (end - start)];
        System.arraycopy(octets, 0, out, 0, start);
        System.arraycopy(octets, end, out, start, length - end);
        return out;
    }
}
