package dev.mailgateway.common.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A DKIM tag list (RFC 6376 section 3.2): {@code name=value} pairs separated
 * by semicolons, the syntax of {@code DKIM-Signature} fields, DKIM key
 * records and DMARC records (RFC 7489 section 6.3 adopts it). Parsed as
 * hostile input: its length and tag count are bounded, a tag named twice is
 * refused (section 3.2: "Tags with duplicate names MUST NOT occur"), and
 * every refusal is an exception of the caller's choosing, so DKIM's and
 * DMARC's each carry their own reasons to their own results. Unknown tags
 * are kept and ignored by the callers, as both RFCs require.
 *
 * <p>The text is the field value decoded as ISO-8859-1, one char per octet,
 * so the positions it records are octet offsets into the field.
 */
public final class TagList {

    /**
     * Longest tag list in octets. RFC 6376 sets none; a signature of an 8192-bit RSA key with a long
     * h= list is under 3000 octets, and a key record is one TXT record (RFC 6376 section 3.6.2.2).
     */
    public static final int MAX_LENGTH = 16 * 1024;
    /** Most tags in one list: RFC 6376 defines 14 for signatures and 6 for key records. */
    public static final int MAX_TAGS = 64;
    /** Longest tag name: the defined ones have at most two letters. */
    public static final int MAX_NAME = 32;

    /**
     * One tag: its value with surrounding whitespace removed, and where the raw value runs (from
     * after the {@code =} to before the {@code ;} or the end), which is what RFC 6376 section 3.7
     * deletes from the signature field for {@code b=}.
     */
    public record Tag(String value, int rawStart, int rawEnd) {
    }

    private final Map<String, Tag> tags;
    private final Function<String, ? extends RuntimeException> refusal;

    private TagList(Map<String, Tag> tags, Function<String, ? extends RuntimeException> refusal) {
        this.tags = tags;
        this.refusal = refusal;
    }

    /**
     * @param refusal makes the exception thrown for a malformed list, and by {@link #require}, from a
     *                reason that names the rule broken and never echoes the input
     */
    public static TagList parse(String text, Function<String, ? extends RuntimeException> refusal) {
        if (text.length() > MAX_LENGTH) {
            throw refusal.apply("Tag list over " + MAX_LENGTH + " octets");
        }
        Map<String, Tag> tags = new LinkedHashMap<>();
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf(';', start);
            end = end < 0 ? text.length() : end;
            if (isBlank(text, start, end)) {
                // only after the last tag: RFC 6376 section 3.2 allows one trailing semicolon, nothing else empty
                if (end != text.length()) {
                    throw refusal.apply("Empty tag in tag list");
                }
                break;
            }
            int equals = text.indexOf('=', start);
            if (equals < 0 || equals > end) {
                throw refusal.apply("Tag without '=' in tag list");
            }
            String name = text.substring(start, equals).strip();
            if (!isTagName(name)) {
                throw refusal.apply("Malformed tag name in tag list");
            }
            if (tags.size() == MAX_TAGS) {
                throw refusal.apply("Tag list over " + MAX_TAGS + " tags");
            }
            String value = text.substring(equals + 1, end);
            checkValue(value, refusal);
            if (tags.putIfAbsent(name, new Tag(stripWhitespace(value), equals + 1, end)) != null) {
                throw refusal.apply("Tag " + name + "= given twice");
            }
            start = end + 1;
        }
        return new TagList(Collections.unmodifiableMap(tags), refusal);
    }

    public Optional<String> get(String name) {
        Tag tag = tags.get(name);
        return tag == null ? Optional.empty() : Optional.of(tag.value());
    }

    /** The tag's value; the parser's refusal when it is absent. */
    public String require(String name) {
        return get(name).orElseThrow(() -> refusal.apply("Required tag " + name + "= missing"));
    }

    /** The tag with its raw span, or empty. */
    public Optional<Tag> tag(String name) {
        return Optional.ofNullable(tags.get(name));
    }

    /** The names in the order they were given. */
    public Iterable<String> names() {
        return tags.keySet();
    }

    /** RFC 6376 section 3.2: ALPHA *ALNUMPUNC, ALNUMPUNC being letters, digits and "_". */
    private static boolean isTagName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME || !isAlpha(name.charAt(0))) {
            return false;
        }
        return name.chars().allMatch(c -> isAlpha(c) || (c >= '0' && c <= '9') || c == '_');
    }

    private static boolean isAlpha(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /**
     * VALCHAR (%x21-3A / %x3C-7E) and folding white space; octets over 0x7F too, as RFC 8616
     * section 4 allows UTF-8 in i=. Control characters, NUL among them, are refused.
     */
    private static void checkValue(String value, Function<String, ? extends RuntimeException> refusal) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 && !isWhitespace(c) || c == 0x7f) {
                throw refusal.apply("Control character in tag value");
            }
        }
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isBlank(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!isWhitespace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String stripWhitespace(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && isWhitespace(value.charAt(start))) {
            start++;
        }
        while (end > start && isWhitespace(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(start, end);
    }
}
