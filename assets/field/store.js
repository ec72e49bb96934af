// The phone's memory: jobs and checklists kept in IndexedDB for offline use, and the queue of
// actions waiting to reach the server. Every action carries an idempotency key and the time it
// was taken on the phone, so a batch sent twice is applied once.
"use strict";

const FieldStore = (() => {
  const DB_NAME = "yantra-field";
  const DB_VERSION = 1;
  const BATCH = 100;
  let dbPromise = null;

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore("kv");
          db.createObjectStore("queue", { keyPath: "idempotencyKey" });
          db.createObjectStore("problems", { keyPath: "idempotencyKey" });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }

  async function tx(store, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(store, mode);
      const result = work(transaction.objectStore(store));
      transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  const get = (key) => tx("kv", "readonly", (s) => s.get(key));
  const put = (key, value) => tx("kv", "readwrite", (s) => s.put(value, key));
  const all = (store) => tx(store, "readonly", (s) => s.getAll());

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  async function clientId() {
    let id = await get("clientId");
    if (!id) {
      id = newKey();
      await put("clientId", id);
    }
    return id;
  }

  /** Queues one action; it is kept on the phone until the server has answered for it. */
  async function enqueue(type, entityId, payload) {
    const event = {
      idempotencyKey: newKey(),
      type,
      entityId: String(entityId),
      clientTime: new Date().toISOString(),
      payload: payload || {},
    };
    await tx("queue", "readwrite", (s) => s.put(event));
    return event;
  }

  async function pending() {
    const events = await all("queue");
    return events.sort((a, b) => a.clientTime.localeCompare(b.clientTime));
  }

  /**
   * Sends what waits, oldest first, in batches. Applied and duplicate events leave the queue;
   * rejected and conflicting ones move to "problems" with the server's reason, for the
   * technician to see. A network failure keeps everything queued for the next try.
   * `send(body)` posts a batch and returns the parsed answer.
   */
  async function flush(send) {
    const events = await pending();
    const outcome = { applied: 0, problems: 0 };
    for (let i = 0; i < events.length; i += BATCH) {
      const batch = events.slice(i, i + BATCH);
      const answer = await send({ clientId: await clientId(), events: batch });
      const results = (answer && answer.results) || [];
      for (const result of results) {
        const event = batch.find((e) => e.idempotencyKey === result.idempotencyKey);
        if (!event) continue;
        if (result.status === "applied" || result.status === "duplicate") {
          outcome.applied += 1;
        } else {
          outcome.problems += 1;
          await tx("problems", "readwrite", (s) =>
            s.put({ ...event, status: result.status, error: result.error || "", seenAt: new Date().toISOString() })
          );
        }
        await tx("queue", "readwrite", (s) => s.delete(event.idempotencyKey));
      }
    }
    await put("lastSync", new Date().toISOString());
    return outcome;
  }

  const problems = () => all("problems");
  const dismiss = (key) => tx("problems", "readwrite", (s) => s.delete(key));

  return { get, put, enqueue, pending, flush, problems, dismiss, clientId };
})();
