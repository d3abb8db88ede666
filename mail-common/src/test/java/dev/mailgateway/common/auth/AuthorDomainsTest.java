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

    /** The author domains, or empty when the From field is absent or malformed. */
    private static Optional<List<String>> domains(String header) {
        AuthorDomains.Authors authors = AuthorDomains.of(HeaderSection.parse(header.getBytes(StandardCharsets.UTF_8)));
        return authors.status() == AuthorDomains.Authors.Status.FOUND ? Optional.of(authors.domains()) : Optional.empty();
    }

    private static AuthorDomains.Authors.Status status(String header) {
        return AuthorDomains.of(HeaderSection.parse(header.getBytes(StandardCharsets.UTF_8))).status();
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
            " a@x.example <b@y.example>                          | ",
            " ceo@victim.example <x@evil.example>                | ",
            " a@victim.example a@evil.example                    | ",
            " a@victim.example(x)a@evil.example                  | ",
            " a@victim.example@evil.example                      | ",
            " CEO <ceo@victim.example> x                         | ",
            " CEO <ceo@victim.example                            | ",
            " ceo@victim.example.                                | victim.example",
            " Dr. Who <who@tardis.example>                       | tardis.example",
            " \"ceo@victim.example\" <x@evil.example>            | evil.example",
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
    void twoFromFieldsAreMalformed_noneIsAbsent() {
        assertEquals(AuthorDomains.Authors.Status.MALFORMED, status("From: a@evil.example\r\nFrom: ceo@victim.example\r\n"));
        assertEquals(AuthorDomains.Authors.Status.ABSENT, status("Subject: none\r\n"));
        assertEquals(AuthorDomains.Authors.Status.MALFORMED, status(from(" a@")));
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
