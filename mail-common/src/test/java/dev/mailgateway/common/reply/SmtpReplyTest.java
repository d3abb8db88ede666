package dev.mailgateway.common.reply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class SmtpReplyTest {

    @Test
    void aMultiLineEhloAnswerIsOneReply() throws Exception {
        SmtpReply.Reader reader = new SmtpReply.Reader();
        assertNull(reader.add("250-mx.example.org greets you"));
        assertNull(reader.add("250-PIPELINING"));
        SmtpReply reply = reader.add("250 SIZE 1000");
        assertEquals(new SmtpReply(250, null, List.of("mx.example.org greets you", "PIPELINING", "SIZE 1000")), reply);
    }

    @Test
    void theEnhancedCodeIsReadWhenItMatchesTheClass() throws Exception {
        SmtpReply reply = new SmtpReply.Reader().add("550 5.1.1 <a@b>: no such user");
        assertEquals(550, reply.code());
        assertEquals("5.1.1", reply.enhanced());
        assertEquals(List.of("<a@b>: no such user"), reply.lines());
        assertNull(new SmtpReply.Reader().add("550 2.1.1 odd").enhanced(), "an enhanced code of another class is text");
    }

    @Test
    void whatTheServerWritesTheClientReadsBack() throws Exception {
        SmtpReply written = new SmtpReply(452, "4.5.3", List.of("too many", "recipients"));
        SmtpReply.Reader reader = new SmtpReply.Reader();
        SmtpReply read = null;
        for (String line : written.wire().split("\r\n")) {
            read = reader.add(line);
        }
        assertEquals(written, read);
        assertEquals("452 4.5.3 too many / recipients", read.summary());
    }

    @Test
    void aBareCodeIsALastLine() throws Exception {
        assertEquals(new SmtpReply(354, null, List.of("")), new SmtpReply.Reader().add("354"));
    }

    @Test
    void brokenRepliesAreRefused() throws Exception {
        assertThrows(SmtpReply.MalformedReplyException.class, () -> new SmtpReply.Reader().add("hello"));
        assertThrows(SmtpReply.MalformedReplyException.class, () -> new SmtpReply.Reader().add("650 no such class"));
        SmtpReply.Reader reader = new SmtpReply.Reader();
        reader.add("250-first");
        assertThrows(SmtpReply.MalformedReplyException.class, () -> reader.add("251 other code"));
        assertThrows(SmtpReply.MalformedReplyException.class, () -> new SmtpReply.Reader().add("250 " + "x".repeat(SmtpReply.MAX_LINE_LENGTH)));
    }
}
