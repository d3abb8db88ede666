package dev.mailgateway.ingress.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

/**
 * What the inspector finds does not depend on where the message is cut: every case is fed whole,
 * in two chunks cut at each position, and octet by octet, and must give the same findings.
 */
class MessageInspectorTest {

    /** A short limit, so that the line-length cases stay readable: lines of 8 octets and their CRLF. */
    private static final int MAX_LINE = 10;

    /** What one message gave: hops, a bare CR or LF, a line too long, and any fault at all. */
    private record Findings(int hops, boolean bareLineBreak, boolean lineTooLong, boolean faultFound) {
    }

    @Test
    void receivedFieldsOfTheHeaderBlockAreCountedInAnyCase() {
        assertFindings("Received: a\r\nreceived: b\r\nRECEIVED:c\r\nReceived-SPF: x\r\nX-Received: y\r\n"
                + "Subject: Received: z\r\n\r\nReceived: in the body\r\n", new Findings(3, false, false, false), 80);
    }

    @Test
    void theEmptyLineEndsTheHeaderBlockEvenFirst() {
        assertFindings("\r\nReceived: a\r\n", new Findings(0, false, false, false), 80);
        assertFindings("Received:\r\n\r\nReceived:\r\n", new Findings(1, false, false, false), 80);
    }

    @Test
    void aFieldNameLongerThanReceivedIsNotOne() {
        assertFindings("Receivedd: a\r\nReceive: b\r\n\r\n", new Findings(0, false, false, false), 80);
    }

    @Test
    void bareCarriageReturnsAndLineFeedsAreFound() {
        assertFindings("a\rb\r\n", new Findings(0, true, false, true), 80);
        assertFindings("a\nb\r\n", new Findings(0, true, false, true), 80);
        assertFindings("a\r\r\n", new Findings(0, true, false, true), 80);
        assertFindings("\n\r\n", new Findings(0, true, false, true), 80);
        assertFindings("Subject: x\r\n\r\nbody\n.\r\n", new Findings(0, true, false, true), 80);
        // a bare one ends no line: the octets after it count on, and a Received field goes on matching
        assertFindings("12345\n6789\r\n", new Findings(0, true, true, true), MAX_LINE);
        assertFindings("Rec\reived: a\r\n", new Findings(1, true, false, true), 80);
    }

    @Test
    void aCarriageReturnAtTheVeryEndIsBareButNotYetAFault() {
        // its LF may come with the next octets, so the message is kept until the end of data
        assertFindings("abc\r\nabc\r", new Findings(0, true, false, false), 80);
    }

    @Test
    void linesUpToTheLimitPassAndLongerOnesDoNot() {
        assertFindings("12345678\r\nReceived\r\n", new Findings(0, false, false, false), MAX_LINE);
        assertFindings("123456789\r\n", new Findings(0, false, true, true), MAX_LINE);
        assertFindings("Received:x\r\n", new Findings(1, false, true, true), MAX_LINE);
        assertFindings("\r\n12345678\r\n12345678\r\n", new Findings(0, false, false, false), MAX_LINE);
        assertFindings("\r\n12345678\r\n123456789", new Findings(0, false, true, true), MAX_LINE);
        // empty lines fit any limit: only octets before the CRLF are text
        assertFindings("\r\n\r\n", new Findings(0, false, false, false), 1);
    }

    private static void assertFindings(String message, Findings expected, int maxLine) {
        byte[] octets = message.getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(expected, inspect(maxLine, List.of(octets)), "whole: " + message);
        for (int cut = 1; cut < octets.length; cut++) {
            List<byte[]> chunks = List.of(slice(octets, 0, cut), slice(octets, cut, octets.length));
            assertEquals(expected, inspect(maxLine, chunks), "cut at " + cut + ": " + message);
        }
        List<byte[]> single = new ArrayList<>();
        for (int i = 0; i < octets.length; i++) {
            single.add(slice(octets, i, i + 1));
        }
        assertEquals(expected, inspect(maxLine, single), "octet by octet: " + message);
    }

    /** Each chunk in the middle of a larger array, as the socket's buffers hand them over. */
    private static Findings inspect(int maxLine, List<byte[]> chunks) {
        MessageInspector inspector = new MessageInspector(maxLine);
        for (byte[] chunk : chunks) {
            Buffer padded = Buffer.buffer().appendString("pad").appendBytes(chunk).appendString("pad");
            inspector.feed(padded.slice(3, 3 + chunk.length));
        }
        return new Findings(inspector.hops(), inspector.bareLineBreak(), inspector.lineTooLong(), inspector.faultFound());
    }

    private static byte[] slice(byte[] octets, int from, int to) {
        byte[] part = new byte[to - from];
        System.arraycopy(octets, from, part, 0, part.length);
        return part;
    }
}
