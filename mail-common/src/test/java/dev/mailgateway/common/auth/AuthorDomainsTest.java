package dev.mailgateway.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.mailgateway.common.auth.dkim.HeaderSection;

class AuthorDomainsTest {

    private static Optional<List<String>> domains(String header) {
        return AuthorDomains.of(HeaderSection.parse(header.getBytes(StandardCharsets.UTF_8)));
    }

    private static String from(String value) {
        return "To: x@example.test\r\nFrom:" + value + "\r\nSubject: s\r\n";
    }

    @ParameterizedTest(name = "From:{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            " a@Example.ORG                                      | example.org",
            " Alice <alice@example.org>                          | example.org",
            " \"Bob, the <builder>\" <bob@b.example>             | b.example",
            " \"odd@local\"@c.example                            | c.example",
            " (comment (nested) with @x.example) d@d.example     | d.example",
            " Team: a@e.example, b@f.example;                    | e.example f.example",
            " a@g.example, A@G.EXAMPLE                           | g.example",
            " <@relay.example:h@h.example>                       | h.example",
            " a@b\\r\\n  .example                                  | b.example",
            " Jörg <jörg@bücher.example>                         | xn--bcher-kva.example",
            " undisclosed:;                                      | ",
            " a@[192.0.2.1]                                      | ",
            " no-domain                                          | ",
            " \"unterminated@x.example                           | ",
            " (unterminated x@y.example                          | ",
            " a@x.example <b@y.example>                          | y.example",
            " <a@x.example> trailing                             | ",
            " a@x.example (comment@evil.example)                 | x.example",
            " group: a@x.example                                 | ",
            " a@                                                 | ",
            "                                                    | ",
    })
    void readsTheAuthorDomains(String value, String expected) {
        Optional<List<String>> want = expected == null ? Optional.empty() : Optional.of(List.of(expected.split(" ")));
        assertEquals(want, domains(from(value == null ? "" : value.replace("\\r\\n", "\r\n"))));
    }

    @Test
    void aMessageWithTwoFromFieldsHasNoAuthorDomain() {
        assertEquals(Optional.empty(), domains("From: a@x.example\r\nFrom: b@x.example\r\n"));
        assertEquals(Optional.empty(), domains("Subject: none\r\n"));
    }

    @Test
    void aHostileFieldEndsQuicklyWithoutAnswer() {
        String many = "a@x.example,".repeat(AuthorDomains.MAX_AUTHORS) + "a@x.example";
        assertEquals(Optional.empty(), domains(from(many)));
        String deep = "(".repeat(200_000) + "a@x.example";
        String angles = "<".repeat(200_000);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertEquals(Optional.empty(), domains(from(deep)));
            assertEquals(Optional.empty(), domains(from(angles)));
        });
    }
}
