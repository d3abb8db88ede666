package dev.mailgateway.worker.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.message.DefaultMessageBuilder;

/**
 * A bounce read back with Apache James's MIME parser, as a mail client
 * would: the multipart/report structure (RFC 6522) and the RFC 3464 fields,
 * per message and per recipient.
 */
record ParsedBounce(Message message, String humanText, Map<String, String> perMessage,
        List<Map<String, String>> perRecipient, String returnedType, String returned) {

    static ParsedBounce parse(byte[] bytes) {
        try {
            DefaultMessageBuilder builder = new DefaultMessageBuilder();
            Message message = builder.parseMessage(new ByteArrayInputStream(bytes));
            assertEquals("multipart/report", message.getMimeType());
            assertEquals("delivery-status", ((ContentTypeField) message.getHeader().getField("Content-Type")).getParameter("report-type"));
            List<Entity> parts = ((Multipart) message.getBody()).getBodyParts();
            assertEquals(3, parts.size(), "notification, delivery status, original");
            assertEquals("text/plain", parts.get(0).getMimeType());
            assertEquals("message/delivery-status", parts.get(1).getMimeType());
            List<Map<String, String>> blocks = fieldBlocks(text(parts.get(1)));
            Entity original = parts.get(2);
            String returned = original.getBody() instanceof SingleBody ? text(original) : "";
            return new ParsedBounce(message, text(parts.get(0)), blocks.get(0), blocks.subList(1, blocks.size()),
                    original.getMimeType(), returned);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** RFC 3464 section 2.1: groups of header-style fields, separated by empty lines. */
    private static List<Map<String, String>> fieldBlocks(String text) {
        List<Map<String, String>> blocks = new ArrayList<>();
        Map<String, String> block = new LinkedHashMap<>();
        for (String line : text.split("\r\n")) {
            if (line.isEmpty()) {
                if (!block.isEmpty()) {
                    blocks.add(block);
                    block = new LinkedHashMap<>();
                }
                continue;
            }
            int colon = line.indexOf(':');
            block.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        if (!block.isEmpty()) {
            blocks.add(block);
        }
        return blocks;
    }

    private static String text(Entity part) throws IOException {
        return new String(((SingleBody) part.getBody()).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
