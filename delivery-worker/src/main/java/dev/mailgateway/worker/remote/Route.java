package dev.mailgateway.worker.remote;

import java.util.List;

import dev.mailgateway.common.reply.SmtpReply;

/** Where a domain's mail goes: the hosts to try in order, or why there is nowhere to go. */
public sealed interface Route {

    /** Next hops in RFC 5321 section 5.1 order: lowest MX preference first, each host's addresses in turn. */
    record Hosts(List<NextHop> hops) implements Route {
        public Hosts {
            hops = List.copyOf(hops);
        }
    }

    /** No route: {@code reply} says whether it is worth trying again (4xx) or not (5xx). */
    record Unroutable(SmtpReply reply) implements Route {
    }
}
