// The offline page's only script, served as a file: the Content-Security-Policy allows no
// inline script without the per-page nonce, which a cached static page cannot have.
// Any answer from the server (health is never cached) means it is back: load the app.
async function serverAnswers() {
  try {
    await fetch("/api/health", { cache: "no-store" });
    location.reload();
  } catch (_) {
    // Still unreachable; the next round tries again.
  }
}
document.getElementById("retry").addEventListener("click", () => location.reload());
window.addEventListener("online", serverAnswers);
setInterval(serverAnswers, 3000);
