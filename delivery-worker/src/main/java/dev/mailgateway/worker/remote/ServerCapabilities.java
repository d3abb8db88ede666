package dev.mailgateway.worker.remote;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

import dev.mailgateway.common.reply.SmtpReply;

/** What a server's EHLO reply offers (RFC 5321 section 4.1.1.1); HELO offers nothing. */
record ServerCapabilities(Set<String> keywords, OptionalLong sizeLimit) {

    static final ServerCapabilities NONE = new ServerCapabilities(Set.of(), OptionalLong.empty());

    static ServerCapabilities fromEhlo(SmtpReply reply) {
        Set<String> keywords = new HashSet<>();
        OptionalLong size = OptionalLong.empty();
        List<String> lines = reply.lines();
        // the first line is the server's name and greeting, every further one an extension
        for (String line : lines.subList(1, lines.size())) {
            String[] words = line.trim().split("\\s+");
            String keyword = words[0].toUpperCase(Locale.ROOT);
            keywords.add(keyword);
            if (keyword.equals("SIZE") && words.length > 1 && words[1].matches("[0-9]{1,18}") && Long.parseLong(words[1]) > 0) {
                // RFC 1870: SIZE without a number, or 0, announces no fixed limit
                size = OptionalLong.of(Long.parseLong(words[1]));
            }
        }
        return new ServerCapabilities(Set.copyOf(keywords), size);
    }

    boolean offers(String keyword) {
        return keywords.contains(keyword);
    }
}
