import EventStream
import Testing

/// The web-platform-tests `eventsource/format-*` cases, restated in our words (see `StreamCase.webPlatform`).
///
/// `format-mime-trailing-semicolon` is left out: it tests the HTTP Content-Type, not the stream format.
@Suite("web-platform-tests eventsource format cases")
struct WebPlatformFormatTests {
    @Test(arguments: StreamCase.webPlatform)
    func yieldsWhatBrowsersDispatch(_ streamCase: StreamCase) {
        expectStream(streamCase)
    }
}
