// The maintenance visit on the phone (电子维保). Vanilla JS, no framework, nothing downloaded.
//
// Nothing typed is lost when the signal drops: every field is written to localStorage as it
// changes, and every photo to IndexedDB until the server has acknowledged it; both are cleared
// only after the server has filed the record. The visit's UUID is generated and saved *before*
// the first request, so every retry — of the check-in, a photo, the check-out or the submit —
// names the same visit, and the server answers a repeat with what it already has.
"use strict";

(() => {
  const root = document.getElementById("visit");
  if (!root) return;
  const { rescueCode, recordClass, csrf } = root.dataset;
  const maxBytes = Number(root.dataset.maxPhotoBytes);
  const KEY = `visit:${rescueCode}:${recordClass}`;
  const $ = (id) => document.getElementById(id);
  const codes = [...root.querySelectorAll(".check-item")].map((item) => item.dataset.code);

  const state = (() => {
    try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch { return {}; }
  })();
  state.fields = state.fields || {};
  state.photos = state.photos || {};
  const save = () => localStorage.setItem(KEY, JSON.stringify(state));

  // Photos waiting for the server, kept across reloads (IndexedDB holds Blobs; localStorage
  // would not). Without IndexedDB (some private modes) they stay in memory only.
  const memory = new Map();
  const database = new Promise((resolve) => {
    try {
      const request = indexedDB.open("visit-photos", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("pending");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(null);
    } catch { resolve(null); }
  });
  const store = (mode, action) => database.then((db) => db && new Promise((resolve) => {
    const transaction = db.transaction("pending", mode);
    const request = action(transaction.objectStore("pending"));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => resolve(undefined);
  }));
  const pendingKey = (slot) => `${state.visitId}/${slot}`;
  const keepPhoto = (slot, blob) => { memory.set(slot, blob); return store("readwrite", (s) => s.put(blob, pendingKey(slot))); };
  const pendingPhoto = async (slot) => memory.get(slot) || store("readonly", (s) => s.get(pendingKey(slot)));
  const dropPhoto = (slot) => { memory.delete(slot); return store("readwrite", (s) => s.delete(pendingKey(slot))); };

  const newId = () => (crypto.randomUUID ? crypto.randomUUID() :
    "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
      (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)));

  const status = (text) => { $("visit-status").textContent = text; };

  function clearErrors() {
    root.querySelectorAll(".field-error[id^=error-]").forEach((element) => {
      element.hidden = true; element.textContent = "";
    });
  }

  // The server names the field it refuses; the message goes next to that field.
  function showError(error) {
    const field = error.field || "";
    let target = "error-form";
    let match;
    if ((match = field.match(/^checklist\.(\d+)\./))) target = `error-checklist-${codes[Number(match[1])]}`;
    else if ((match = field.match(/^checklist\.([A-Z]\d-\d+)$/))) target = `error-checklist-${match[1]}`;
    else if ((match = field.match(/^photos\.([a-z0-9_]+)\.(before|after)$/))) target = `error-photos-${match[1]}-${match[2]}`;
    else if (/^(workers|second_worker|first_worker)/.test(field)) target = "error-workers";
    const element = $(target) || $("error-form");
    element.textContent = error.message_zh || error.message;
    element.hidden = false;
    element.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  async function send(method, url, body, contentType = "application/json") {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Content-Type": contentType },
      body: contentType === "application/json" ? JSON.stringify(body) : body,
    });
    let json = null;
    try { json = await response.json(); } catch { json = null; }
    return { ok: response.ok, status: response.status, json };
  }

  const offline = () => status("网络不通：已填写内容保存在本机，请稍后再点一次");

  // Where the phone is, if the person allows it; never blocks the visit.
  function position() {
    const now = { device_at: new Date().toISOString(), latitude: null, longitude: null, accuracy_m: null };
    if (!navigator.geolocation) return Promise.resolve(now);
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ ...now, latitude: p.coords.latitude.toFixed(6), longitude: p.coords.longitude.toFixed(6), accuracy_m: p.coords.accuracy }),
        () => resolve(now),
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
      );
    });
  }

  function describeStop(visit, prefix) {
    const distance = visit[`${prefix}_distance_m`];
    const at = new Date(visit[`${prefix}_at`]).toLocaleTimeString("zh-CN", { hour12: false });
    const where = distance === null ? "未定位" : `距电梯 ${distance} 米${prefix === "check_in" && visit.check_in_far ? "（超出范围，已标注）" : ""}`;
    return `${at} · ${where}`;
  }

  function render() {
    const checkedIn = Boolean(state.checkIn);
    ["step-crew", "step-checklist", "step-photos", "step-findings"].forEach((id) => { $(id).disabled = !checkedIn; });
    $("check-in").disabled = checkedIn;
    $("check-in").textContent = checkedIn ? "已签到" : "开始维保 · 签到";
    $("check-out").disabled = !checkedIn || Boolean(state.checkOut);
    $("submit").disabled = !state.checkOut;
    if (checkedIn) $("check-in-result").textContent = `签到 ${describeStop(state.checkIn, "check_in")}`;
    if (state.checkOut) $("check-out-result").textContent = `签退 ${describeStop(state.checkOut, "check_out")}`;
    const done = codes.filter((code) => state.fields[`r-${code}`]).length;
    $("checklist-progress").textContent = `已填 ${done} / ${codes.length}`;
    root.querySelectorAll(".photo-slot").forEach((slot) => {
      const key = `${slot.dataset.checkpoint}/${slot.dataset.phase}`;
      const photo = state.photos[key];
      const label = slot.querySelector(".photo-state");
      slot.classList.toggle("done", Boolean(photo && photo.sha256));
      slot.classList.toggle("waiting", Boolean(photo && photo.pending));
      label.textContent = !photo ? "未拍摄" : photo.sha256 ? `已上传 ✓${photo.reused ? "（重复照片，已标注）" : ""}` : "待上传（网络恢复后自动重传）";
    });
    if (state.checkOut) status("已签退，请提交");
    else if (checkedIn) status("作业中：填写项目、拍照后签退");
  }

  // Fields: restored from localStorage, saved on every change.
  function restoreFields() {
    root.querySelectorAll("[data-keep]").forEach((input) => {
      const name = input.name || input.id;
      if (!(name in state.fields)) return;
      if (input.type === "radio") input.checked = state.fields[name] === input.value;
      else input.value = state.fields[name];
    });
  }
  root.addEventListener("input", (event) => {
    const input = event.target;
    if (!input.matches("[data-keep]")) return;
    state.fields[input.name || input.id] = input.value;
    save(); render();
  });

  $("all-normal").addEventListener("click", () => {
    codes.forEach((code) => {
      if (state.fields[`r-${code}`]) return;
      state.fields[`r-${code}`] = "normal";
      root.querySelector(`input[name="r-${code}"][value="normal"]`).checked = true;
    });
    save(); render();
  });

  $("check-in").addEventListener("click", async () => {
    clearErrors();
    state.visitId = state.visitId || newId();
    state.checkInPosition = state.checkInPosition || await position();
    save();
    status("正在签到…");
    try {
      const answer = await send("POST", "/firm/visits", {
        visit_id: state.visitId, rescue_code: rescueCode, record_class: recordClass, ...state.checkInPosition,
      });
      if (!answer.ok) { showError(answer.json.error); status("签到未成功"); return; }
      state.checkIn = answer.json;
      save(); render();
    } catch { offline(); }
  });

  async function upload(key) {
    const [checkpoint, phase] = key.split("/");
    const blob = await pendingPhoto(key);
    if (!blob) return false;
    try {
      const answer = await send("PUT", `/firm/visit-photos/${state.visitId}/${checkpoint}/${phase}`, blob, blob.type || "application/octet-stream");
      if (!answer.ok) {
        delete state.photos[key];
        await dropPhoto(key);
        showError({ ...answer.json.error, field: `photos.${checkpoint}.${phase}` });
        return false;
      }
      state.photos[key] = { sha256: answer.json.sha256, reused: answer.json.reused };
      await dropPhoto(key);
      return true;
    } catch {
      offline();
      return false;
    } finally { save(); render(); }
  }

  root.querySelectorAll(".photo-slot input[type=file]").forEach((input) => {
    input.addEventListener("change", async () => {
      const slot = input.closest(".photo-slot");
      const key = `${slot.dataset.checkpoint}/${slot.dataset.phase}`;
      const file = input.files[0];
      if (!file) return;
      clearErrors();
      if (file.size > maxBytes) {
        showError({ message_zh: `照片过大：最大 ${Math.floor(maxBytes / 1048576)} MB`, field: `photos.${slot.dataset.checkpoint}.${slot.dataset.phase}` });
        return;
      }
      let preview = slot.querySelector("img");
      if (!preview) { preview = document.createElement("img"); preview.alt = ""; slot.prepend(preview); }
      preview.src = URL.createObjectURL(file);
      state.photos[key] = { pending: true };
      save();
      await keepPhoto(key, file);
      render();
      await upload(key);
    });
  });

  // Photos that did not reach the server go again when the signal returns (only those).
  async function retryPending() {
    for (const key of Object.keys(state.photos)) {
      if (state.photos[key].pending) await upload(key);
    }
  }
  window.addEventListener("online", retryPending);

  $("check-out").addEventListener("click", async () => {
    clearErrors();
    state.checkOutPosition = state.checkOutPosition || await position();
    save();
    status("正在签退…");
    try {
      const answer = await send("POST", `/firm/visits/${state.visitId}/check-out`, state.checkOutPosition);
      if (!answer.ok) { showError(answer.json.error); return; }
      state.checkOut = answer.json;
      save(); render();
    } catch { offline(); }
  });

  $("submit").addEventListener("click", async () => {
    clearErrors();
    await retryPending();
    const field = (name) => (state.fields[name] || "").trim();
    const second = field("second_name");
    const body = {
      first_worker: { name: $("first-name").value, certificate_number: $("first-certificate").value || null },
      second_worker: second ? { name: second, certificate_number: field("second_certificate") || null } : null,
      checklist: codes.filter((code) => state.fields[`r-${code}`]).map((code) => ({
        code, result: state.fields[`r-${code}`], note: field(`n-${code}`) || null,
      })),
      findings: field("findings") || null,
      parts_replaced: field("parts").split("\n").map((line) => line.trim()).filter(Boolean),
    };
    if (!body.checklist.length) { showError({ field: `checklist.${codes[0]}`, message_zh: "请先填写维保项目" }); return; }
    status("正在提交…");
    try {
      const answer = await send("POST", `/firm/visits/${state.visitId}/submission`, body);
      if (!answer.ok) { showError(answer.json.error); status("提交未成功，请按提示修改"); return; }
      // Only now, with the record filed, is the phone's copy no longer needed.
      localStorage.removeItem(KEY);
      window.location.assign(answer.json.done);
    } catch { offline(); }
  });

  restoreFields();
  render();
  if (state.visitId) retryPending();
  document.body.dataset.ready = "1";
  // benchmarks/visit.py reads this mark: navigation start → the form answers a tap.
  if (performance.mark) performance.mark("visit-interactive");
})();
