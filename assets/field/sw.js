// The field app's service worker: the app shell is cached at install, so /field opens with no
// network; the technician's jobs are fetched network-first and the last answer is kept for
// when the network is gone. Everything else passes through untouched.
"use strict";

const SHELL_CACHE = "yantra-field-shell-v1";
const DATA_CACHE = "yantra-field-data-v1";
const SHELL = [
  "/field",
  "/field/app.js",
  "/field/store.js",
  "/field/scan.js",
  "/field/app.css",
  "/field/manifest.webmanifest",
  "/field/icons/icon-192.png",
  "/field/icons/maskable-192.png",
  "/favicon.ico",
  "/vendor/leaflet/leaflet.js",
  "/vendor/leaflet/leaflet.css",
  "/vendor/jsqr/jsQR.js",
];
// GET answers worth keeping for offline use: jobs (with devices, sites, checklists and parts).
const DATA = [/^\/api\/v1\/me\/jobs/, /^\/api\/v1\/field\//];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k !== SHELL_CACHE && k !== DATA_CACHE).map((k) => caches.delete(k))
        )
      )
      .then(() => self.clients.claim())
  );
});

async function networkFirst(request, cacheName, fallbackKey) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallbackKey || request, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(fallbackKey || request);
    if (cached) return cached;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && (url.pathname === "/field" || url.pathname === "/field/")) {
    event.respondWith(networkFirst(request, SHELL_CACHE, "/field"));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(networkFirst(request, SHELL_CACHE));
    return;
  }
  if (DATA.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(networkFirst(request, DATA_CACHE));
  }
});

// A signed-out phone forgets what it cached for the last technician.
self.addEventListener("message", (event) => {
  if (event.data === "forget") {
    event.waitUntil(caches.delete(DATA_CACHE));
  }
});
