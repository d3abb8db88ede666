package dev.mailgateway.ingress.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;

import org.junit.jupiter.api.Test;

class PathArgumentTest {

    @Test
    void pathAndParameters() {
        PathArgument parsed = PathArgument.parse("FROM:<a@example.org>  size=10 SMTPUTF8 envid=x=y", "FROM:");
        assertEquals("<a@example.org>", parsed.path());
        assertEquals(Map.of("SIZE", "10", "SMTPUTF8", "", "ENVID", "x=y"), parsed.params());
        assertEquals("<\"a> b\"@example.org>", PathArgument.parse("to: <\"a> b\"@example.org>", "TO:").path());
    }

    @Test
    void keywordsAreLettersDigitsAndHyphens() {
        assertEquals(Map.of("X-FROB", "1"), PathArgument.parse("FROM:<> x-frob=1", "FROM:").params());
        assertNull(PathArgument.parse("FROM:<> X\rY=1", "FROM:"));
        assertNull(PathArgument.parse("FROM:<> -X=1", "FROM:"));
        assertNull(PathArgument.parse("FROM:<> =1", "FROM:"));
        assertNull(PathArgument.parse("FROM:<> \u017fIZE=1", "FROM:"), "a long s would upper-case to SIZE");
        assertNull(PathArgument.parse("FROM:<> SIZE=1 size=2", "FROM:"), "named twice");
    }

    @Test
    void controlCharactersStayInTheirValueToBeJudged() {
        assertEquals(Map.of("SIZE", "1\u0001"), PathArgument.parse("FROM:<> SIZE=1\u0001", "FROM:").params());
        assertEquals(Map.of("SIZE", "1\tBODY=7BIT"), PathArgument.parse("FROM:<> SIZE=1\tBODY=7BIT", "FROM:").params());
    }

    @Test
    void malformedArguments() {
        assertNull(PathArgument.parse("FROM:a@example.org", "FROM:"));
        assertNull(PathArgument.parse("FROM:<a@example.org", "FROM:"));
        assertNull(PathArgument.parse("FROM:<a@example.org>SIZE=1", "FROM:"));
        assertNull(PathArgument.parse("TO:<a@example.org>", "FROM:"));
    }
}
