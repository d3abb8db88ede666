package dev.mailgateway.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mailgateway.common.auth.dkim.DkimFormatException;

class TagListTest {

    /** Refusals as DKIM makes them: the reason is the parser's. */
    private static TagList parse(String text) {
        return TagList.parse(text, DkimFormatException::new);
    }

    @Test
    void tagsWithFoldingWhiteSpaceAndATrailingSemicolon() {
        TagList tags = parse(" v=1;\r\n\ta = rsa-sha256 ; h=From : To;\r\n b=abc\r\n def ;");
        assertEquals("1", tags.require("v"));
        assertEquals("rsa-sha256", tags.require("a"));
        assertEquals("From : To", tags.require("h"));
        assertEquals("abc\r\n def", tags.require("b"), "white space inside a value stays; the caller knows its grammar");
        List<String> names = new ArrayList<>();
        tags.names().forEach(names::add);
        assertEquals(List.of("v", "a", "h", "b"), names);
    }

    @Test
    void rawSpanOfAValueRunsFromTheEqualsSignToTheSemicolon() {
        String text = "bh=xyz; b= ab\r\n cd ; d=x";
        TagList.Tag b = parse(text).tag("b").orElseThrow();
        assertEquals(" ab\r\n cd ", text.substring(b.rawStart(), b.rawEnd()));
        TagList.Tag d = parse(text).tag("d").orElseThrow();
        assertEquals(text.length(), d.rawEnd());
    }

    @Test
    void emptyValuesAndUnknownTagsAreKept() {
        TagList tags = parse("p=; x_1=y");
        assertEquals("", tags.require("p"));
        assertEquals("y", tags.require("x_1"));
        assertTrue(tags.get("k").isEmpty());
    }

    @Test
    void aDuplicateTagIsRefused() {
        DkimFormatException e = assertThrows(DkimFormatException.class, () -> parse("d=a; s=b; d=c"));
        assertEquals("Tag d= given twice", e.getMessage());
    }

    @Test
    void malformedListsAreRefusedOneRuleAtATime() {
        assertThrows(DkimFormatException.class, () -> parse("v=1; a"), "no equals sign");
        assertThrows(DkimFormatException.class, () -> parse("v=1;; a=b"), "empty tag between semicolons");
        assertThrows(DkimFormatException.class, () -> parse(";"), "only a semicolon");
        assertThrows(DkimFormatException.class, () -> parse("v=1; ;"), "two trailing semicolons");
        assertThrows(DkimFormatException.class, () -> parse("1v=1"), "name starting with a digit");
        assertThrows(DkimFormatException.class, () -> parse("a-b=1"), "hyphen in a name");
        assertThrows(DkimFormatException.class, () -> parse("=1"), "empty name");
        assertThrows(DkimFormatException.class, () -> parse("a=x\u0000y"), "NUL in a value");
        assertThrows(DkimFormatException.class, () -> parse("a=x\u007fy"), "DEL in a value");
        assertThrows(DkimFormatException.class, () -> parse("n" + "a".repeat(TagList.MAX_NAME) + "=1"));
    }

    @Test
    void hostileSizesAreBounded() {
        DkimFormatException tooLong = assertThrows(DkimFormatException.class,
                () -> parse("b=" + "A".repeat(TagList.MAX_LENGTH)));
        assertEquals("Tag list over " + TagList.MAX_LENGTH + " octets", tooLong.getMessage());
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= TagList.MAX_TAGS; i++) {
            many.append("t").append(i).append("=1;");
        }
        DkimFormatException tooMany = assertThrows(DkimFormatException.class, () -> parse(many.toString()));
        assertEquals("Tag list over " + TagList.MAX_TAGS + " tags", tooMany.getMessage());
    }

    @Test
    void aMissingRequiredTagIsNamed() {
        assertEquals("Required tag s= missing",
                assertThrows(DkimFormatException.class, () -> parse("d=x").require("s")).getMessage());
    }
}
