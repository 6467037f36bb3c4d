// CloudShell service worker. The server fills in VERSION (a hash of every asset below, so a
// new server build is a new worker) and ASSETS when it serves /sw.js.
const VERSION = "__VERSION__";
const ASSETS = __ASSETS__;
const CACHE = `cloudshell-${VERSION}`;
const OFFLINE = "/offline.html";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // "reload" skips the HTTP cache, so the new cache never starts with old files.
      .then((cache) => cache.addAll(ASSETS.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("cloudshell-") && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

// The app's own code must match the HTML the server just rendered: network first, the cached
// copy only when the server cannot be reached.
async function networkFirst(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const hit = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
    if (hit) return hit;
    throw error;
  }
}

// Icons, xterm files and the offline page change only with the version: cache first.
async function cacheFirst(request) {
  const hit = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
  return hit || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The API and terminals are live and per-user: never from a cache.
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/ws/")) return;
  if (request.mode === "navigate") {
    // Pages depend on the login, so they are never cached; offline, the offline page.
    event.respondWith(
      fetch(request).catch(() => caches.match(OFFLINE, { cacheName: CACHE })),
    );
    return;
  }
  if (!ASSETS.includes(url.pathname)) return;
  event.respondWith(url.pathname.startsWith("/pkg/") ? networkFirst(request) : cacheFirst(request));
});
