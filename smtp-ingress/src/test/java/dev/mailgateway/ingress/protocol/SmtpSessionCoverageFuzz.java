package dev.mailgateway.ingress.protocol;

import java.util.Random;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the SMTP decoder and session together (Jazzer):
 * the same property as SmtpSessionFuzzTest (well-formed replies, nothing
 * thrown), with inputs Jazzer evolves towards new branches. The first eight
 * bytes seed the session's other choices (listener, piece sizes, the
 * collaborators' answers), so every input replays exactly. Runs for
 * maxDuration in the build's fuzzing execution; an input that breaks the
 * property is kept under src/test/resources and replayed on every later run.
 */
class SmtpSessionCoverageFuzz {

    @FuzzTest(maxDuration = "30s")
    void everyInputGetsWellFormedReplies(FuzzedDataProvider data) {
        Random choices = new Random(data.consumeLong());
        SmtpSessionFuzzTest.feed(data.consumeRemainingAsBytes(), choices);
    }
}
