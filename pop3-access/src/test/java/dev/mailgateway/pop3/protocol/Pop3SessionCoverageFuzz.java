package dev.mailgateway.pop3.protocol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the POP3 command path (Jazzer): the same
 * property as Pop3SessionFuzzTest (every response a well-formed status line,
 * nothing thrown), with inputs Jazzer evolves towards new branches of the
 * decoder and the session. Runs for maxDuration in the build's fuzzing
 * execution; an input that breaks the property is kept under
 * src/test/resources and replayed on every later run.
 */
class Pop3SessionCoverageFuzz {

    @FuzzTest(maxDuration = "30s")
    void everyInputGetsAStatusLine(FuzzedDataProvider data) {
        Pop3Session.Offer offer = new Pop3Session.Offer(data.consumeBoolean(), data.consumeBoolean(), data.consumeBoolean());
        int pieceSize = data.consumeInt(1, 64);
        Pop3SessionFuzzTest.feed(data.consumeRemainingAsBytes(), offer, () -> pieceSize);
    }
}
