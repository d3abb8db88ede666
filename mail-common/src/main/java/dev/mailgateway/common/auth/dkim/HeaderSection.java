package dev.mailgateway.common.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The header fields of a message in their order, and the data a DKIM
 * signature covers: the fields its h= names, each occurrence chosen from the
 * bottom up (RFC 6376 section 5.4.2), a name with no occurrence left
 * contributing nothing, then the signature field itself without its b= value
 * (section 3.7). Fields are indexed by name once: a signature's h= may
 * name 128 fields and a message have thousands, and a lookup per entry is
 * then one map access, not a scan.
 */
public final class HeaderSection {

    private final List<HeaderField> fields;
    /** Lower-case name to the fields of that name, top to bottom; lines that are no field are left out. */
    private final Map<String, List<HeaderField>> byName;

    private HeaderSection(List<HeaderField> fields) {
        this.fields = List.copyOf(fields);
        Map<String, List<HeaderField>> index = new HashMap<>();
        for (HeaderField field : fields) {
            if (field.name() != null) {
                index.computeIfAbsent(field.name(), name -> new ArrayList<>()).add(field);
            }
        }
        index.replaceAll((name, named) -> List.copyOf(named));
        this.byName = Map.copyOf(index);
    }

    /**
     * The fields of a header section: its octets up to, not including, the empty line that ends it.
     * A line starting with white space continues the field before it (RFC 5322 section 2.2.3).
     */
    public static HeaderSection parse(byte[] section) {
        List<HeaderField> fields = new ArrayList<>();
        int fieldStart = 0;
        int lineStart = 0;
        while (lineStart < section.length) {
            int lineEnd = endOfLine(section, lineStart);
            if (lineStart > fieldStart && !Canonicalization.isWsp(section[lineStart])) {
                fields.add(HeaderField.of(Arrays.copyOfRange(section, fieldStart, lineStart)));
                fieldStart = lineStart;
            }
            lineStart = lineEnd;
        }
        if (section.length > fieldStart) {
            fields.add(HeaderField.of(Arrays.copyOfRange(section, fieldStart, section.length)));
        }
        return new HeaderSection(fields);
    }

    public List<HeaderField> fields() {
        return fields;
    }

    /** The fields with this name (any case), top to bottom. */
    public List<HeaderField> named(String name) {
        return byName.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** How many fields have this name (any case). */
    public int count(String name) {
        return named(name).size();
    }

    /**
     * The canonical octets a signature's header hash covers.
     *
     * @param signedNames   the h= list, in its order
     * @param signatureWithoutB the signature field's octets with the b= value removed
     */
    public byte[] signedData(List<String> signedNames, Canonicalization canonicalization, byte[] signatureWithoutB) {
        Map<String, Integer> used = new HashMap<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String signed : signedNames) {
            String name = signed.toLowerCase(Locale.ROOT);
            List<HeaderField> named = named(name);
            int fromBottom = used.merge(name, 1, Integer::sum);
            if (fromBottom <= named.size()) {
                canonicalization.header(named.get(named.size() - fromBottom).octets(), out);
            }
        }
        canonicalization.signatureHeader(signatureWithoutB, out);
        return out.toByteArray();
    }

    /** Just past the CRLF that ends the line starting here, or the end of the section. */
    private static int endOfLine(byte[] section, int from) {
        for (int i = from; i + 1 < section.length; i++) {
            if (section[i] == '\r' && section[i + 1] == '\n') {
                return i + 2;
            }
        }
        return section.length;
    }
}
