// Yantra Field: the technician's jobs for today and tomorrow, in route order, with check-in,
// the device's checklist, parts, photos and the customer's sign-off. Every action is queued on
// the phone first (store.js) and synced when the network allows; the screen never waits for it.
"use strict";

(() => {
  const IST = "Asia/Kolkata";
  const view = document.getElementById("view");
  const title = document.getElementById("title");
  const back = document.getElementById("back");
  const syncButton = document.getElementById("sync");
  const timeFormat = new Intl.DateTimeFormat("en-IN", { timeZone: IST, hour: "2-digit", minute: "2-digit" });
  const dayFormat = new Intl.DateTimeFormat("en-IN", { timeZone: IST, weekday: "short", day: "numeric", month: "short" });
  const STATUS_LABEL = {
    assigned: "Assigned",
    en_route: "On the way",
    on_site: "On site",
    in_progress: "Working",
    waiting_parts: "Waiting for parts",
    resolved: "Resolved",
  };
  const app = { day: 0, jobs: { 0: [], 1: [] }, local: {}, token: null, tokenUntil: 0, syncing: false, signInNeeded: false, map: null };

  // ---------- small DOM helper: text is always text, never markup ----------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "class") el.className = value;
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function istDate(offsetDays) {
    const t = new Date(Date.now() + 5.5 * 3600e3 + offsetDays * 86400e3);
    return t.toISOString().slice(0, 10);
  }

  function toast(text, kind) {
    const el = h("div", { class: `toast ${kind || ""}`, role: "status" }, text);
    document.body.appendChild(el);
    setTimeout(() => el.remove(), 3500);
  }

  // ---------- the API: a bearer token exchanged for the browser's session cookie ----------
  async function token() {
    if (app.token && Date.now() < app.tokenUntil) return app.token;
    const response = await fetch("/api/v1/auth/session/token", { method: "POST", credentials: "same-origin" });
    if (response.status === 401) {
      app.signInNeeded = true;
      throw Object.assign(new Error("Sign in again"), { signIn: true });
    }
    if (!response.ok) throw new Error(`Sign-in check failed (${response.status})`);
    const body = await response.json();
    app.signInNeeded = false;
    app.token = body.access_token;
    app.tokenUntil = Date.now() + Math.max(30, body.expires_in - 60) * 1000;
    return app.token;
  }

  async function api(path, options) {
    const headers = { Authorization: `Bearer ${await token()}`, ...(options && options.headers) };
    const response = await fetch(path, { ...options, headers });
    if (response.status === 401) {
      app.token = null;
      throw Object.assign(new Error("Sign in again"), { signIn: true });
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((body && (body.detail || body.message)) || `Error ${response.status}`);
    return body;
  }

  // ---------- jobs: from the server when online, from the phone otherwise ----------
  async function loadJobs() {
    for (const day of [0, 1]) {
      const date = istDate(day);
      try {
        const body = await api(`/api/v1/me/jobs?date=${date}`);
        app.jobs[day] = body.jobs || body.items || body.stops || [];
        await FieldStore.put(`jobs:${date}`, app.jobs[day]);
      } catch (err) {
        if (err.signIn && !(await FieldStore.get(`jobs:${date}`))) {
          window.location.assign("/login?next=/field");
          return;
        }
        app.jobs[day] = (await FieldStore.get(`jobs:${date}`)) || [];
      }
    }
    app.local = (await FieldStore.get("local")) || {};
  }

  function job(ticketId) {
    return [...app.jobs[0], ...app.jobs[1]].find((j) => String(j.ticketId) === String(ticketId));
  }

  function local(ticketId) {
    app.local[ticketId] = app.local[ticketId] || { steps: {}, parts: {}, photos: 0 };
    return app.local[ticketId];
  }

  function statusOf(j) {
    return (app.local[j.ticketId] && app.local[j.ticketId].status) || j.status || "assigned";
  }

  /** Records an action: on the phone at once, on the server when the network lets it. */
  async function act(type, j, payload, change) {
    await FieldStore.enqueue(type, j.ticketId, payload);
    if (change) change(local(j.ticketId));
    await FieldStore.put("local", app.local);
    await renderSync();
    sync();
  }

  // ---------- sync ----------
  async function sync() {
    if (app.syncing || !navigator.onLine) return renderSync();
    app.syncing = true;
    try {
      const waiting = await FieldStore.pending();
      if (waiting.length) {
        const outcome = await FieldStore.flush((body) =>
          api("/api/v1/sync/events:batch", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(body),
          })
        );
        if (outcome.problems) toast(`${outcome.problems} action(s) need your attention`, "warn");
      } else {
        await FieldStore.put("lastSync", new Date().toISOString());
      }
    } catch (err) {
      if (!err.signIn) console.warn("sync failed; kept on the phone", err);
    } finally {
      app.syncing = false;
      await renderSync();
    }
  }

  async function renderSync() {
    const waiting = (await FieldStore.pending()).length;
    const last = await FieldStore.get("lastSync");
    const when = last ? timeFormat.format(new Date(last)) : "never";
    let text;
    if (app.signInNeeded) text = `Sign in to send ${waiting}`;
    else if (!navigator.onLine) text = waiting ? `Offline · ${waiting} waiting` : "Offline";
    else if (waiting) text = `${waiting} waiting to sync`;
    else text = `Synced ${when}`;
    syncButton.textContent = text;
    syncButton.dataset.waiting = String(waiting);
    syncButton.className = `sync ${waiting ? "pending" : "clear"} ${navigator.onLine ? "" : "offline"}`;
    syncButton.title = `Last synced: ${when}`;
  }

  // ---------- the list of today's (or tomorrow's) stops ----------
  function slaText(deadline) {
    if (!deadline) return null;
    const minutes = Math.round((new Date(deadline) - Date.now()) / 60000);
    const span = (m) => (Math.abs(m) >= 60 ? `${Math.floor(Math.abs(m) / 60)}h ${Math.abs(m) % 60}m` : `${Math.abs(m)}m`);
    if (minutes < 0) return { text: `SLA breached ${span(minutes)} ago`, level: "late" };
    return { text: `SLA ${span(minutes)} left`, level: minutes < 60 ? "soon" : "ok" };
  }

  function facility(j) {
    return j.facility || {};
  }

  function navigateUrl(j) {
    const f = facility(j);
    if (f.lat != null && f.lon != null) return `https://www.google.com/maps/dir/?api=1&destination=${f.lat},${f.lon}`;
    return `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(`${f.name || ""} ${f.pincode || ""}`)}`;
  }

  function contactButtons(j) {
    const f = facility(j);
    const phone = f.contactPhone || f.phone || (f.contact && f.contact.phone);
    return h(
      "div",
      { class: "row" },
      h("a", { class: "button secondary", href: navigateUrl(j), target: "_blank", rel: "noopener" }, "Navigate"),
      phone ? h("a", { class: "button secondary", href: `tel:${phone}` }, "Call site") : null
    );
  }

  function card(j, index) {
    const f = facility(j);
    const d = j.device || {};
    const sla = slaText(j.slaDeadline);
    const status = statusOf(j);
    return h(
      "article",
      { class: `card p${String(j.priority || "").replace(/\D/g, "")}`, "data-ticket": j.ticketId },
      h(
        "div",
        { class: "card-head" },
        h("span", { class: "stop" }, String(index + 1)),
        h("span", { class: "chip priority" }, j.priority || ""),
        h("span", { class: `chip status ${status}` }, STATUS_LABEL[status] || status),
        j.eta ? h("span", { class: "eta" }, `ETA ${timeFormat.format(new Date(j.eta))}`) : null
      ),
      h("h2", {}, f.name || "Site"),
      h("p", { class: "muted" }, [f.address, f.pincode].filter(Boolean).join(", ")),
      h("p", {}, h("strong", {}, [d.type, d.model].filter(Boolean).join(" · ")), d.serial ? ` · S/N ${d.serial}` : ""),
      j.fault ? h("p", { class: "fault" }, j.fault) : null,
      sla ? h("p", { class: `sla ${sla.level}` }, sla.text) : null,
      h("div", { class: "row" }, h("button", { class: "button", onclick: () => go(`#/job/${j.ticketId}`) }, "Open job")),
      contactButtons(j)
    );
  }

  async function problemsPanel() {
    const problems = await FieldStore.problems();
    if (!problems.length) return null;
    return h(
      "section",
      { class: "problems", role: "alert" },
      h("h2", {}, `${problems.length} action(s) not applied`),
      problems.map((p) =>
        h(
          "div",
          { class: "problem" },
          h("p", {}, h("strong", {}, p.status === "conflict" ? "Conflict" : "Refused"), ` · ${p.type} · ${p.error || "no reason given"}`),
          h("p", { class: "muted" }, p.status === "conflict" ? "The dispatcher sees this and will resolve it." : "Correct it and record it again."),
          h("button", { class: "button small secondary", onclick: async () => { await FieldStore.dismiss(p.idempotencyKey); render(); } }, "Dismiss")
        )
      )
    );
  }

  function drawMap(container, jobs) {
    const points = jobs.filter((j) => facility(j).lat != null && facility(j).lon != null);
    if (!window.L || !points.length) return;
    if (app.map) app.map.remove();
    app.map = window.L.map(container, { zoomControl: false, attributionControl: true });
    window.L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18,
      attribution: "© OpenStreetMap",
    }).addTo(app.map);
    const bounds = [];
    points.forEach((j) => {
      const f = facility(j);
      const index = jobs.indexOf(j) + 1;
      const icon = window.L.divIcon({ className: `pin p${String(j.priority || "").replace(/\D/g, "")}`, html: String(index), iconSize: [28, 28] });
      window.L.marker([f.lat, f.lon], { icon, title: f.name || "" }).addTo(app.map);
      bounds.push([f.lat, f.lon]);
    });
    if (bounds.length > 1) window.L.polyline(bounds, { color: "#0f766e", weight: 3, opacity: 0.7 }).addTo(app.map);
    app.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
  }

  async function renderList() {
    title.textContent = app.day === 0 ? "Today's jobs" : "Tomorrow's jobs";
    back.hidden = true;
    const jobs = app.jobs[app.day];
    const mapBox = h("div", { class: "map", "aria-label": "Route map" });
    const tabs = h(
      "div",
      { class: "tabs", role: "tablist" },
      [0, 1].map((day) =>
        h(
          "button",
          { role: "tab", "aria-selected": String(app.day === day), class: app.day === day ? "tab on" : "tab", onclick: () => { app.day = day; render(); } },
          `${day === 0 ? "Today" : "Tomorrow"} · ${dayFormat.format(new Date(`${istDate(day)}T06:30:00Z`))} (${app.jobs[day].length})`
        )
      )
    );
    const list = jobs.length
      ? jobs.map(card)
      : [h("p", { class: "empty" }, app.day === 0 ? "No jobs for today in the accepted plan. The dispatcher's next plan will appear here." : "No jobs planned for tomorrow yet.")];
    view.replaceChildren(tabs, await problemsPanel() || "", jobs.length ? mapBox : "", ...list);
    if (jobs.length) setTimeout(() => drawMap(mapBox, jobs), 0);
  }

  // ---------- one job ----------
  function section(heading, ...body) {
    return h("section", { class: "panel" }, h("h2", {}, heading), ...body);
  }

  function position() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) return resolve(null);
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracyM: Math.round(p.coords.accuracy) }),
        () => resolve(null),
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
      );
    });
  }

  async function checkIn(j, payload) {
    const where = await position();
    await act("checkin", j, { ...payload, position: where }, (l) => {
      l.status = "on_site";
      l.checkedIn = payload.shortCode ? `code ${payload.shortCode}` : "QR scanned";
    });
    toast(where ? "Arrival recorded" : "Arrival recorded without position", "ok");
    render();
  }

  function checkInPanel(j) {
    const l = local(j.ticketId);
    const server = j.checkedIn && `${j.checkedIn.method === "short_code" ? "typed code" : "QR scanned"} at ${timeFormat.format(new Date(j.checkedIn.at))}`;
    if (l.checkedIn || server) return section("Check-in", h("p", { class: "ok-text" }, `Checked in (${l.checkedIn || server})`));
    const video = h("video", { class: "camera", hidden: true, muted: true });
    const code = h("input", { class: "input", inputmode: "text", autocomplete: "off", autocapitalize: "characters", placeholder: "Label code, e.g. JFW7-JHQT", "aria-label": "Label code" });
    let scanning = null;
    const scan = h("button", { class: "button", onclick: async () => {
      if (scanning) { scanning.stop(); scanning = null; video.hidden = true; scan.textContent = "Scan the device's label"; return; }
      video.hidden = false;
      scan.textContent = "Stop camera";
      scanning = FieldScan.start(video);
      try {
        const text = await scanning.result;
        if (text) await checkIn(j, { qrPayload: text });
      } catch (err) {
        toast(err.message || "The camera could not be opened", "warn");
      } finally {
        video.hidden = true;
        scanning = null;
        scan.textContent = "Scan the device's label";
      }
    } }, "Scan the device's label");
    const typed = h("button", { class: "button secondary", onclick: () => {
      const value = code.value.trim().toUpperCase();
      if (value.replace(/[\s\-_.]/g, "").length !== 8) { toast("Type the 8-character code printed under the QR code", "warn"); return; }
      checkIn(j, { shortCode: value });
    } }, "Check in with the code");
    return section("Check-in at the device", scan, video, h("p", { class: "muted" }, "No camera or GPS? Type the code printed on the label."), h("div", { class: "row" }, code, typed));
  }

  // A recorded step redraws only itself (and the count), so the next step's input is kept.
  function stepInput(j, step) {
    const l = local(j.ticketId);
    const id = step.id || step.key;
    const done = l.steps[id];
    const kind = step.kind || step.type;
    const box = h("div", { class: "step", "data-step": id });
    const refresh = () => {
      box.replaceWith(stepInput(j, step));
      const heading = document.getElementById("checklist-heading");
      if (heading) heading.textContent = checklistTitle(j);
    };
    const record = (payload, shown) =>
      act("checklist.step", j, { stepId: id, workflowId: (j.workflow || {}).id, workflowVersion: (j.workflow || {}).version, ...payload }, (x) => { x.steps[id] = shown; }).then(refresh);
    const label = h("p", { class: "step-label" }, step.label || step.title || id);
    if (kind === "reading") {
      const unit = step.unit || "";
      const input = h("input", { class: "input", type: "number", inputmode: "decimal", step: "any", "aria-label": step.label || id, value: done ? done.value : "" });
      const range = step.min != null || step.max != null ? `Acceptable ${step.min ?? "–"} to ${step.max ?? "–"} ${unit}` : "";
      const save = h("button", { class: "button small", onclick: () => {
        if (input.value === "") { toast("Enter the reading first", "warn"); return; }
        const value = Number(input.value);
        const out = (step.min != null && value < step.min) || (step.max != null && value > step.max);
        record({ value }, { value, out, text: `${value} ${unit}` });
      } }, "Save");
      const note = done ? h("p", { class: done.out ? "flag" : "ok-text" }, done.out ? `${done.text}: out of range` : `${done.text} recorded`) : null;
      box.append(label, range ? h("p", { class: "muted" }, range) : "", h("div", { class: "row" }, input, save), note || "");
    } else if (kind === "choice") {
      box.append(label, h("div", { class: "row wrap" }, (step.options || []).map((option) =>
        h("button", { class: done && done.value === option ? "button small on" : "button small secondary", "aria-pressed": String(!!done && done.value === option), onclick: () => record({ value: option }, { value: option }) }, option))));
    } else if (kind === "photo") {
      box.append(label, photoInput(j, id, refresh), done ? h("p", { class: "ok-text" }, "Photo added") : "");
    } else {
      const choice = (value, text, on) =>
        h("button", { class: done && done.value === value ? `button small ${on}` : "button small secondary", "aria-pressed": String(!!done && done.value === value), onclick: () => record({ value }, { value }) }, text);
      box.append(label, h("div", { class: "row" }, choice("pass", "Pass", "on"), choice("fail", "Fail", "fail on")));
    }
    return box;
  }

  function checklistTitle(j) {
    const steps = (j.workflow || {}).steps || [];
    const l = local(j.ticketId);
    return `Checklist · ${steps.filter((s) => l.steps[s.id || s.key]).length} of ${steps.length} done`;
  }

  function checklistPanel(j) {
    const workflow = j.workflow || {};
    const steps = workflow.steps || [];
    if (!steps.length) return section("Checklist", h("p", { class: "muted" }, "No checklist for this device type."));
    return h("section", { class: "panel" }, h("h2", { id: "checklist-heading" }, checklistTitle(j)), h("p", { class: "muted" }, `${workflow.name || workflow.deviceType || "Checklist"} · version ${workflow.version || 1}`), steps.map((s) => stepInput(j, s)));
  }

  function compress(file) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => {
        const scale = Math.min(1, 1280 / Math.max(img.width, img.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale);
        canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(img.src);
        resolve(canvas.toDataURL("image/jpeg", 0.72).split(",")[1]);
      };
      img.onerror = () => reject(new Error("This photo could not be read"));
      img.src = URL.createObjectURL(file);
    });
  }

  function photoInput(j, stepId, after) {
    const input = h("input", { type: "file", accept: "image/*", capture: "environment", class: "file", "aria-label": "Take a photo" });
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      try {
        const data = await compress(file);
        await act("photo.added", j, { stepId: stepId || null, fileName: file.name || "photo.jpg", contentType: "image/jpeg", dataBase64: data }, (l) => {
          if (stepId) l.steps[stepId] = { value: "photo" };
          else l.photos += 1;
        });
        toast("Photo kept; it will be sent with the next sync", "ok");
        (after || render)();
      } catch (err) {
        toast(err.message, "warn");
      }
    });
    return input;
  }

  function partsPanel(j) {
    const parts = j.partsReserved || [];
    const l = local(j.ticketId);
    const rows = parts.map((p) => {
      const key = p.reservationId || p.partId || p.sku;
      const qty = h("input", { class: "input qty", type: "number", min: "0", max: String(p.quantity || 1), value: String(l.parts[key] ?? p.quantity ?? 1), "aria-label": `Used of ${p.name || key}` });
      return { p, key, qty, row: h("div", { class: "part" }, h("span", {}, `${p.name || p.sku || key} (reserved ${p.quantity || 1})`), qty) };
    });
    const record = h("button", { class: "button secondary", onclick: async () => {
      for (const { p, key, qty } of rows) {
        const used = Number(qty.value || 0);
        if (used > 0) await act("part.used", j, p.reservationId ? { reservationId: p.reservationId, quantity: used } : { partId: p.partId, quantity: used }, (x) => { x.parts[key] = used; });
      }
      toast("Parts recorded", "ok");
      render();
    } }, "Record parts used");
    const reason = h("input", { class: "input", placeholder: "Part needed and why", "aria-label": "Part needed" });
    const wait = h("button", { class: "button secondary", onclick: async () => {
      if (!reason.value.trim()) { toast("Say which part is needed", "warn"); return; }
      await act("ticket.status", j, { status: "waiting_parts", reason: reason.value.trim() }, (x) => { x.status = "waiting_parts"; });
      render();
    } }, "Waiting for parts");
    return section("Parts", rows.length ? rows.map((r) => r.row) : h("p", { class: "muted" }, "No parts reserved for this job."), rows.length ? record : null, h("div", { class: "row" }, reason, wait));
  }

  function signaturePad() {
    const canvas = h("canvas", { class: "signature", width: "600", height: "220", "aria-label": "Customer signature" });
    const ctx = canvas.getContext("2d");
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    let drawing = false;
    let signed = false;
    const at = (e) => {
      const r = canvas.getBoundingClientRect();
      return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
    };
    canvas.addEventListener("pointerdown", (e) => { drawing = true; signed = true; ctx.beginPath(); ctx.moveTo(...at(e)); canvas.setPointerCapture(e.pointerId); });
    canvas.addEventListener("pointermove", (e) => { if (drawing) { ctx.lineTo(...at(e)); ctx.stroke(); } });
    canvas.addEventListener("pointerup", () => { drawing = false; });
    return { canvas, isSigned: () => signed, png: () => canvas.toDataURL("image/png").split(",")[1], clear: () => { ctx.clearRect(0, 0, canvas.width, canvas.height); signed = false; } };
  }

  function closePanel(j) {
    const l = local(j.ticketId);
    if (statusOf(j) === "resolved") return section("Closed", h("p", { class: "ok-text" }, `Resolved${l.signedBy ? `, signed by ${l.signedBy}` : ""}.`));
    const note = h("textarea", { class: "input", rows: "3", placeholder: "What was done", "aria-label": "Work done" });
    const signer = h("input", { class: "input", placeholder: "Customer's name", "aria-label": "Customer's name", value: l.signedBy || "" });
    const pad = signaturePad();
    const resolve = h("button", { class: "button primary", onclick: async () => {
      if (!note.value.trim()) { toast("Say what was done", "warn"); return; }
      if (!l.signedBy) {
        if (!signer.value.trim() || !pad.isSigned()) { toast("The customer signs and gives their name first", "warn"); return; }
        await act("signoff", j, { signerName: signer.value.trim(), signaturePng: pad.png() }, (x) => { x.signedBy = signer.value.trim(); });
      }
      await act("ticket.note", j, { text: note.value.trim() });
      await act("ticket.status", j, { status: "resolved", resolution: note.value.trim() }, (x) => { x.status = "resolved"; });
      toast("Job resolved", "ok");
      go("#/");
    } }, "Resolve the job");
    return section("Close the job", note, l.signedBy ? h("p", { class: "ok-text" }, `Signed by ${l.signedBy}`) : [signer, pad.canvas, h("button", { class: "button small secondary", onclick: pad.clear }, "Clear signature")], resolve);
  }

  function statusPanel(j) {
    const status = statusOf(j);
    const move = (next, label) =>
      h("button", { class: "button", onclick: async () => { await act("ticket.status", j, { status: next }, (x) => { x.status = next; }); render(); } }, label);
    const buttons = [];
    if (status === "assigned") buttons.push(move("en_route", "I'm on my way"));
    if (status === "on_site" || status === "waiting_parts") buttons.push(move("in_progress", "Start work"));
    return section("Status", h("p", {}, h("span", { class: `chip status ${status}` }, STATUS_LABEL[status] || status)), buttons.length ? h("div", { class: "row" }, buttons) : null);
  }

  async function renderJob(ticketId) {
    const j = job(ticketId);
    back.hidden = false;
    if (!j) {
      view.replaceChildren(h("p", { class: "empty" }, "This job is not in your plan any more."));
      return;
    }
    const f = facility(j);
    const d = j.device || {};
    const sla = slaText(j.slaDeadline);
    title.textContent = `${j.priority || ""} · ${f.name || "Job"}`;
    view.replaceChildren(
      section(
        [d.type, d.model].filter(Boolean).join(" · ") || "Device",
        d.serial ? h("p", {}, `S/N ${d.serial}`) : null,
        h("p", {}, [f.name, f.address, f.pincode].filter(Boolean).join(", ")),
        j.fault ? h("p", { class: "fault" }, j.fault) : null,
        sla ? h("p", { class: `sla ${sla.level}` }, sla.text) : null,
        contactButtons(j)
      ),
      statusPanel(j),
      checkInPanel(j),
      checklistPanel(j),
      partsPanel(j),
      section("Other photos", photoInput(j, null), h("p", { class: "muted" }, `${local(j.ticketId).photos} taken besides the checklist's`)),
      closePanel(j)
    );
  }

  // ---------- routing ----------
  function go(hash) {
    if (window.location.hash === hash) render();
    else window.location.hash = hash;
  }

  async function render() {
    const match = window.location.hash.match(/^#\/job\/(.+)$/);
    if (match) await renderJob(decodeURIComponent(match[1]));
    else await renderList();
    await renderSync();
  }

  back.addEventListener("click", () => go("#/"));
  syncButton.addEventListener("click", () => {
    if (app.signInNeeded) window.location.assign("/login?next=/field");
    else sync();
  });
  window.addEventListener("hashchange", render);
  window.addEventListener("online", () => { renderSync(); sync(); });
  window.addEventListener("offline", renderSync);
  setInterval(sync, 30000);
  setInterval(() => { if (!window.location.hash.startsWith("#/job/")) renderList(); }, 60000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/field/sw.js", { scope: "/field" }).catch((err) => console.warn("no offline cache", err));
  }

  (async () => {
    await loadJobs();
    await render();
    sync();
  })();
})();
